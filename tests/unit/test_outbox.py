"""The mail outbox against a real SMTP server on loopback: sending, retries with backoff, permanent failures,
rollback, the recipient's language, and the CLI."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.support import Translations
from sqlalchemy import func, select

from review_app.db import db
from review_app.mail.models import OutboxMessage, OutboxStatus
from review_app.mail.services import backoff, queue_mail, send_pending

from ..conftest import TEST_PASSWORD, free_port
from ..factories import DURING_CFP, make_event, make_proposal, make_user

T = DURING_CFP
CATALOGUE = Path(__file__).resolve().parents[2] / "review_app" / "translations"


@contextmanager
def mail_points_at(app, port: int):
    state = app.extensions["mail"]
    old = (state.server, state.port)
    state.server, state.port = "127.0.0.1", port
    try:
        yield
    finally:
        state.server, state.port = old


class Answering:
    """An SMTP server that refuses: at RCPT or at DATA, with the given reply."""

    def __init__(self, reply: str, stage: str):
        self.reply, self.stage, self.calls = reply, stage, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stage == "rcpt":
            self.calls += 1
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.calls += 1
        return self.reply if self.stage == "data" else "250 OK"


@contextmanager
def refusing_server(app, reply: str, stage: str):
    handler = Answering(reply, stage)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with mail_points_at(app, port):
            yield handler
    finally:
        controller.stop()


def queue_one(recipient="anna@example.org", language="en") -> OutboxMessage:
    row = queue_mail(
        template="password_changed",
        recipient=recipient,
        language=language,
        now=T,
        user=type("U", (), {"name": "Anna"})(),
    )
    db.session.commit()
    return row


def status_of(row_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)


def test_send_pending_sends_the_due_rows_and_marks_them_sent(app, ctx, smtp_server):
    a = queue_one("anna@example.org").id
    b = queue_one("bert@example.org").id
    later = queue_mail(
        template="password_changed",
        recipient="later@example.org",
        language="en",
        now=T,
        user=type("U", (), {"name": "Later"})(),
    )
    later.next_attempt_at = T + timedelta(hours=1)
    db.session.commit()
    assert send_pending(now=T) == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(m["envelope_to"][0] for m in smtp_server.messages) == [
        "anna@example.org",
        "bert@example.org",
    ]
    assert all(m["subject"] == "Your password was changed" for m in smtp_server.messages)
    for row_id in (a, b):
        row = status_of(row_id)
        assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.sent, 1, T, None)
    assert status_of(later.id).status is OutboxStatus.pending
    # nothing is sent twice
    assert send_pending(now=T) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp_server.messages) == 2


def test_a_rolled_back_transaction_leaves_no_outbox_row(app, ctx):
    event = make_event()
    owner = make_user()
    proposal = make_proposal(event, owner)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    from review_app.cfp import services as cfp

    cfp.submit(proposal, actor=owner, now=T)
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1
    )  # in the transaction
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "proposal_submitted")
        )
        == 0
    )


def test_a_failed_request_sends_nothing(app, client, clock, smtp_server):
    """Over HTTP: a new proposal that is created and then fails to submit (incomplete) is rolled back."""
    clock.set(T)
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(email="owner@example.org", language="en")
        db.session.commit()
        formats, themes = [f.id for f in event.formats], [t.id for t in event.themes]
        owner_email = owner.email
    client.post("/login", data={"email": owner_email, "password": TEST_PASSWORD})
    r = client.post(
        "/events/scd/proposals/new",
        data={
            "title": "Incomplete",
            "abstract": "",
            "description": "",
            "format_id": formats[0],
            "main_theme_id": themes[0],
            "language": "en",
            "project_stage": "pilot",
            "action": "submit",
        },
    )
    assert r.status_code == 422
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.recipient == "owner@example.org", OutboxMessage.template != "confirm_email"
                )
            )
            == 0
        )
        send_pending(now=T)
    assert [m["subject"] for m in smtp_server.to("owner@example.org")] == [
        "Please confirm your email address"
    ]


def test_a_temporary_failure_keeps_the_row_pending_with_backoff_until_the_server_is_back(
    app, ctx, smtp_server
):
    row_id = queue_one().id
    with mail_points_at(app, free_port()):  # nothing listens there
        assert send_pending(now=T) == {"sent": 0, "retry": 1, "failed": 0}
    row = status_of(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    assert row.next_attempt_at == T + backoff(1) == T + timedelta(minutes=1)
    assert "ConnectionRefusedError" in row.last_error or "Errno" in row.last_error
    # not due yet: nothing happens, although the server is back
    assert send_pending(now=T + timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_server.messages == []
    assert send_pending(now=T + timedelta(minutes=1)) == {"sent": 1, "retry": 0, "failed": 0}
    row = status_of(row_id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 2, None)
    assert len(smtp_server.to("anna@example.org")) == 1


def test_a_451_reply_is_temporary_and_backs_off_exponentially(app, ctx, smtp_server):
    row_id = queue_one().id
    moment = T
    with refusing_server(app, "451 4.3.0 try later", "data") as handler:
        for attempt in (1, 2, 3):
            assert send_pending(now=moment) == {"sent": 0, "retry": 1, "failed": 0}
            row = status_of(row_id)
            assert (row.status, row.attempts) == (OutboxStatus.pending, attempt)
            assert row.next_attempt_at == moment + timedelta(minutes=2 ** (attempt - 1))
            assert "451" in row.last_error and "try later" in row.last_error
            moment = row.next_attempt_at
        assert handler.calls == 3
    assert send_pending(now=moment) == {"sent": 1, "retry": 0, "failed": 0}
    assert status_of(row_id).status is OutboxStatus.sent


def test_a_550_reply_is_permanent_and_marks_the_row_failed(app, ctx):
    row_id = queue_one("ghost@example.org").id
    with refusing_server(app, "550 5.1.1 no such user", "rcpt") as handler:
        assert send_pending(now=T) == {"sent": 0, "retry": 0, "failed": 1}
        assert handler.calls == 1
        row = status_of(row_id)
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.failed, 1, None)
        assert "550" in row.last_error and "no such user" in row.last_error
        # a failed row is never tried again
        assert send_pending(now=T + timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
        assert handler.calls == 1


def test_temporary_failures_are_given_up_once_the_retries_span_mail_give_up_after(app, ctx):
    """Not after a number of tries: the last try falls on the end of the span (2 days by default), then fails."""
    give_up = timedelta(seconds=app.config["MAIL_GIVE_UP_AFTER"])
    row_id = queue_one().id
    moment, attempt = T, 0
    with mail_points_at(app, free_port()):
        while True:
            attempt += 1
            counts = send_pending(now=moment)
            row = status_of(row_id)
            assert row.attempts == attempt
            if row.status is OutboxStatus.failed:
                break
            assert counts == {"sent": 0, "retry": 1, "failed": 0} and row.status is OutboxStatus.pending
            assert row.next_attempt_at - moment <= timedelta(hours=6)
            moment = row.next_attempt_at
    assert counts == {"sent": 0, "retry": 0, "failed": 1}
    assert moment == T + give_up  # the final wait was cut short to land on the end of the span
    assert 10 < attempt < 25 and row.last_error


def _german(msgid: str) -> str | None:
    if not (CATALOGUE / "de" / "LC_MESSAGES" / "messages.mo").exists():
        return None
    translated = Translations.load(str(CATALOGUE), ["de"]).gettext(msgid)
    return translated if translated != msgid else None


def test_mails_are_written_in_the_recipients_language(app, ctx, smtp_server):
    from review_app.cfp import services as cfp
    from review_app.cfp.models import ProposalSpeaker

    event = make_event()
    english = make_user(email="english@example.org", language="en")
    german = make_user(email="german@example.org", language="de")
    proposal = make_proposal(event, english, title="Offene Daten")
    proposal.speakers.append(ProposalSpeaker(user_id=german.id, is_submitter=False, joined_at=T))
    db.session.flush()
    db.session.expire(proposal, ["speakers"])
    cfp.submit(proposal, actor=english, now=T)
    db.session.commit()
    send_pending(now=T)
    [en_mail] = [m for m in smtp_server.to("english@example.org") if "Offene Daten" in m["subject"]]
    [de_mail] = [m for m in smtp_server.to("german@example.org") if "Offene Daten" in m["subject"]]
    assert en_mail["subject"] == "Proposal submitted: Offene Daten"
    rows = {
        r.recipient: r.language
        for r in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "proposal_submitted")
        )
    }
    assert rows == {"english@example.org": "en", "german@example.org": "de"}
    german_subject = _german("Proposal submitted: %(title)s")
    if german_subject is None:
        pytest.skip(
            "the German catalogue (review_app/translations/de/LC_MESSAGES/messages.mo) is not compiled"
        )
    assert de_mail["subject"] == german_subject % {"title": "Offene Daten"}
    assert de_mail["subject"] != en_mail["subject"]


def test_the_cli_sends_the_pending_mails(app, ctx, smtp_server):
    queue_one("anna@example.org")
    queue_one("bert@example.org")
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "sent 2, retry later 0, failed 0" in result.output
    assert sorted(m["envelope_to"][0] for m in smtp_server.messages) == [
        "anna@example.org",
        "bert@example.org",
    ]
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.sent}
