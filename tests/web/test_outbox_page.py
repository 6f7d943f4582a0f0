"""The outbox pages: the committee sees its event's mails by status (never the text of one with a one-time link)
and sends a failed one again; the site admin sees every mail; everyone else finds no such page."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.db import db
from review_app.events.models import Role
from review_app.events.services import grant_role
from review_app.mail.models import OutboxMessage, OutboxStatus
from review_app.mail.services import REDACTED, queue_mail, send_pending

from ..conftest import free_port
from ..factories import DURING_CFP, login, make_event, make_proposal, make_user

T = DURING_CFP


class Person:
    def __init__(self, name: str):
        self.name = name


def queue(address: str, *, event_id: int | None, at=T, secret: bool = False) -> int:
    row = queue_mail(template="password_changed", recipient=address, language="en", now=at, event_id=event_id,
                     secret=secret, user=Person(address.split("@")[0].title()))
    db.session.flush()
    return row.id


class Refusing:
    """A loopback SMTP server refusing the addresses in `refused` with 550, accepting and keeping the others."""

    def __init__(self):
        self.refused: set[str] = set()
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


@contextmanager
def refusing_server(app):
    handler = Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    state = app.extensions["mail"]
    old = (state.server, state.port)
    state.server, state.port = "127.0.0.1", controller.port
    try:
        yield handler
    finally:
        state.server, state.port = old
        controller.stop()


@pytest.fixture
def world(app):
    """Two events with a committee each, a speaker, a reviewer and the site admin (all reading English); the
    outbox holds mails of both events in each status, an invitation with a live one-time link, and account
    mails of no event."""
    with app.app_context():
        chair = make_user(email="chair@example.org", name="Chair", language="en")
        other_chair = make_user(email="other-chair@example.org", name="Other chair", language="en")
        admin = make_user(email="admin@example.org", name="Admin", language="en", admin=True)
        speaker = make_user(email="speaker@example.org", name="Speaker", language="en")
        reviewer = make_user(email="reviewer@example.org", name="Reviewer", language="en")
        event = make_event(slug="scd", committee=chair)
        other = make_event(slug="other", committee=other_chair)
        grant_role(event, reviewer, Role.reviewer, actor=None, now=T)
        db.session.execute(delete(OutboxMessage))  # the registration and role mails: not these tests' subject
        ids = {
            "pending": queue("pending@example.org", event_id=event.id),
            "sent": queue("sent@example.org", event_id=event.id),
            "failed": queue("ghost@example.org", event_id=event.id),
            "other": queue("other-event@example.org", event_id=other.id),
            "account": queue("account@example.org", event_id=None),
        }
        proposal = make_proposal(event, speaker)
        invitation = cfp.invite_co_speaker(proposal, "cospeaker@example.org", actor=speaker, now=T)
        db.session.flush()
        ids["secret"] = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.recipient == "cospeaker@example.org"))
        db.session.get(OutboxMessage, ids["sent"]).status = OutboxStatus.sent
        db.session.get(OutboxMessage, ids["sent"]).sent_at = T + timedelta(minutes=1)
        db.session.get(OutboxMessage, ids["sent"]).attempts = 1
        failed = db.session.get(OutboxMessage, ids["failed"])
        failed.status, failed.attempts = OutboxStatus.failed, 1
        failed.last_error = "SMTPRecipientsRefused: {'ghost@example.org': (550, b'5.1.1 no such mailbox')}"
        data = {"ids": ids, "event_id": event.id, "token": invitation.token,
                "people": {"chair": chair.email, "other_chair": other_chair.email, "admin": admin.email,
                           "speaker": speaker.email, "reviewer": reviewer.email}}
        db.session.commit()
    return data


def counts_on(page: str) -> dict[str, int]:
    return {status: int(n) for status, n in
            re.findall(r'data-status="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page)}


def listed(page: str) -> dict[str, str]:
    """The rows of the table: recipient → status."""
    rows = re.findall(r'<tr id="mail-\d+" data-status="(\w+)">\s*<td>([^<]*)', page)
    return {re.sub(r".*&lt;|&gt;", "", cell).strip(): status for status, cell in rows}


def snapshot(app) -> list[tuple]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(select(
            OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.next_attempt_at,
            OutboxMessage.last_error, OutboxMessage.body_text).order_by(OutboxMessage.id))] + [
            (db.session.scalar(select(func.count()).select_from(AuditEntry)),)]


def test_the_committee_sees_its_events_mails_by_status_without_secret_text(app, client, world):
    login(client, world["people"]["chair"])
    r = client.get("/events/scd/manage/outbox")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert counts_on(page) == {"pending": 2, "sent": 1, "failed": 1}
    assert listed(page) == {"pending@example.org": "pending", "sent@example.org": "sent",
                            "ghost@example.org": "failed", "cospeaker@example.org": "pending"}
    # neither another event's mails nor account mails
    assert "other-event@example.org" not in page and "account@example.org" not in page
    # subject, attempts and last error are shown; the invitation's text and its live link never
    assert "Your password was changed" in page and "no such mailbox" in page
    assert world["token"] not in page and "/invitations/" not in page
    assert "with a one-time link" in page
    # one resend button, for the failed mail
    assert page.count('/resend"') == 1
    assert f'/events/scd/manage/outbox/{world["ids"]["failed"]}/resend' in page
    # the event's management navigation leads here
    overview = client.get("/events/scd/manage/").get_data(as_text=True)
    assert 'href="/events/scd/manage/outbox"' in overview


def test_the_status_filter_lists_only_that_status_and_refuses_unknown_ones(app, client, world):
    login(client, world["people"]["chair"])
    failed = client.get("/events/scd/manage/outbox?status=failed").get_data(as_text=True)
    assert listed(failed) == {"ghost@example.org": "failed"}
    assert counts_on(failed) == {"pending": 2, "sent": 1, "failed": 1}  # the counts stay those of all mails
    pending = client.get("/events/scd/manage/outbox?status=pending").get_data(as_text=True)
    assert set(listed(pending)) == {"pending@example.org", "cospeaker@example.org"}
    sent = client.get("/events/scd/manage/outbox?status=sent").get_data(as_text=True)
    assert listed(sent) == {"sent@example.org": "sent"}
    for bad in ("bogus", "PENDING", "failed\x00", "' OR 1=1 --"):
        r = client.get("/events/scd/manage/outbox", query_string={"status": bad})
        assert r.status_code == 400 and "Unknown status" in r.get_data(as_text=True), bad
    for bad in ("0", "-1", "x", "99999999999999999999", "²"):
        r = client.get("/events/scd/manage/outbox", query_string={"page": bad})
        assert r.status_code == 400 and "Unknown page number" in r.get_data(as_text=True), bad
    assert listed(client.get("/events/scd/manage/outbox?page=2").get_data(as_text=True)) == {}


@pytest.mark.parametrize("who", ["speaker", "reviewer", "other_chair"])
def test_others_find_no_outbox_page_and_cannot_resend(app, client, world, who):
    login(client, world["people"][who])  # a sign-in is audited: the snapshot comes after
    before = snapshot(app)
    assert client.get("/events/scd/manage/outbox").status_code == 404
    assert client.post(f"/events/scd/manage/outbox/{world['ids']['failed']}/resend").status_code == 404
    assert client.get("/admin/outbox").status_code == 404
    assert client.post(f"/admin/outbox/{world['ids']['failed']}/resend").status_code == 404
    assert snapshot(app) == before


def test_anonymous_visitors_are_sent_to_the_login(app, client, world):
    before = snapshot(app)
    for method, url in (("get", "/events/scd/manage/outbox"), ("get", "/admin/outbox"),
                        ("post", f"/events/scd/manage/outbox/{world['ids']['failed']}/resend")):
        r = getattr(client, method)(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    assert snapshot(app) == before


def test_a_committee_resends_a_failed_mail_which_the_worker_then_delivers(app, client, world, clock):
    clock.set(T + timedelta(hours=2))
    login(client, world["people"]["chair"])
    failed_id = world["ids"]["failed"]
    r = client.post(f"/events/scd/manage/outbox/{failed_id}/resend")
    assert r.status_code == 302 and r.headers["Location"].endswith("/events/scd/manage/outbox?status=failed")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The mail to ghost@example.org is queued again." in page
    assert listed(page) == {}
    with app.app_context():
        row = db.session.get(OutboxMessage, failed_id)
        assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.pending, 0, T + timedelta(hours=2))
        assert "no such mailbox" in row.last_error  # kept until the next try
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.resend"))
        chair_id = db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.id == audit.id))
        assert (audit.event_id, audit.object_id, audit.from_state, audit.to_state) == (
            world["event_id"], failed_id, "failed", "pending")
        assert chair_id is not None
    # a mail that is not failed is refused, saying why, and nothing changes
    before = snapshot(app)
    for key in ("failed", "sent", "pending"):  # the first is pending now
        r = client.post(f"/events/scd/manage/outbox/{world['ids'][key]}/resend")
        assert r.status_code == 409 and "Only a failed mail can be sent again." in r.get_data(as_text=True)
    assert snapshot(app) == before


def test_mails_of_another_event_or_of_no_event_are_hidden_from_the_event_page(app, client, world):
    login(client, world["people"]["chair"])
    with app.app_context():
        for key in ("other", "account"):
            db.session.get(OutboxMessage, world["ids"][key]).status = OutboxStatus.failed
        db.session.commit()
    before = snapshot(app)
    for key in ("other", "account"):
        assert client.post(f"/events/scd/manage/outbox/{world['ids'][key]}/resend").status_code == 404
    assert client.post("/events/scd/manage/outbox/999999/resend").status_code == 404
    assert client.post("/events/scd/manage/outbox/99999999999/resend").status_code == 404
    assert client.get("/events/nope/manage/outbox").status_code == 404
    assert snapshot(app) == before


def test_a_failed_mail_whose_one_time_link_was_removed_cannot_be_resent(app, client, world):
    with app.app_context():
        row = db.session.get(OutboxMessage, world["ids"]["secret"])
        row.status, row.body_text, row.last_error = OutboxStatus.failed, REDACTED, "SMTPRecipientsRefused: 550"
        db.session.commit()
    login(client, world["people"]["chair"])
    page = client.get("/events/scd/manage/outbox?status=failed").get_data(as_text=True)
    assert "cospeaker@example.org" in page and "The person must ask for a new link." in page
    assert f'/outbox/{world["ids"]["secret"]}/resend' not in page
    before = snapshot(app)
    r = client.post(f"/events/scd/manage/outbox/{world['ids']['secret']}/resend")
    text = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "held a one-time link" in text and "Ask the person to request a new link" in text
    assert 'href="/events/scd/manage/outbox?status=failed"' in text  # the way back
    assert snapshot(app) == before


def test_the_site_admin_sees_every_mail_including_account_mails(app, client, world):
    login(client, world["people"]["admin"])
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert counts_on(page) == {"pending": 4, "sent": 1, "failed": 1}
    assert set(listed(page)) == {"pending@example.org", "sent@example.org", "ghost@example.org",
                                 "other-event@example.org", "account@example.org", "cospeaker@example.org"}
    assert "no event" in page and "Smart City Days" in page
    assert world["token"] not in page
    # the admin reaches it from the site admin's pages, and also the event's own outbox
    assert 'href="/admin/outbox"' in client.get("/admin/").get_data(as_text=True)
    assert client.get("/events/other/manage/outbox").status_code == 200
    # and resends from the site-wide page
    r = client.post(f"/admin/outbox/{world['ids']['failed']}/resend")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/outbox?status=failed")
    with app.app_context():
        assert db.session.get(OutboxMessage, world["ids"]["failed"]).status is OutboxStatus.pending
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "outbox.resend")) == 1


def test_a_550_for_one_address_shows_on_the_page_and_a_resend_delivers_it(app, client, clock):
    """The whole way: the server refuses one address for good, the others arrive; the committee sees the failed
    mail with the server's words, sends it again once the mailbox exists, and the worker delivers it once."""
    with app.app_context():
        chair = make_user(email="chair@example.org", language="en")
        event = make_event(slug="scd", committee=chair)
        db.session.execute(delete(OutboxMessage))
        for address in ("a@example.org", "missing@example.org", "b@example.org"):
            queue(address, event_id=event.id)
        db.session.commit()
    with refusing_server(app) as server:
        server.refused = {"missing@example.org"}
        with app.app_context():
            assert send_pending(now=T) == {"sent": 2, "retry": 0, "failed": 1}
        assert sorted(server.received) == ["a@example.org", "b@example.org"]
        login(client, "chair@example.org")
        page = client.get("/events/scd/manage/outbox?status=failed").get_data(as_text=True)
        assert listed(page) == {"missing@example.org": "failed"}
        assert "550" in page and "no such mailbox here" in page
        [row_id] = re.findall(r"/events/scd/manage/outbox/(\d+)/resend", page)
        server.refused = set()
        clock.set(T + timedelta(hours=1))
        assert client.post(f"/events/scd/manage/outbox/{row_id}/resend").status_code == 302
        with app.app_context():
            assert send_pending(now=T + timedelta(hours=1)) == {"sent": 1, "retry": 0, "failed": 0}
            assert send_pending(now=T + timedelta(hours=2)) == {"sent": 0, "retry": 0, "failed": 0}
        assert sorted(server.received) == ["a@example.org", "b@example.org", "missing@example.org"]
    page = client.get("/events/scd/manage/outbox").get_data(as_text=True)
    assert counts_on(page) == {"pending": 0, "sent": 3, "failed": 0}
    assert listed(page) == dict.fromkeys(("a@example.org", "missing@example.org", "b@example.org"), "sent")
