"""No mail is lost to an SMTP outage: refused connections for an hour (and a day), 451 replies for a while, 550 for
one address, and two outbox workers at once against PostgreSQL — all against real SMTP servers on loopback."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

from review_app.audit.models import AuditEntry
from review_app.db import db
from review_app.errors import InvalidState
from review_app.events.outbox_views import resend_message
from review_app.mail.models import OutboxMessage, OutboxStatus
from review_app.mail.services import REDACTED, backoff, queue_mail, send_pending

from ..conftest import free_port
from ..factories import DURING_CFP, make_event, make_user

T = DURING_CFP
MINUTE = timedelta(minutes=1)


@contextmanager
def mail_points_at(app, port: int):
    state = app.extensions["mail"]
    old = (state.server, state.port)
    state.server, state.port = "127.0.0.1", port
    try:
        yield
    finally:
        state.server, state.port = old


class Server:
    """An SMTP server whose answers the test changes while it runs: `refuse(address)` gives the RCPT reply for an
    address (None: accepted); `data_reply` (None: 250) answers DATA. Keeps every accepted mail."""

    def __init__(self):
        self.refuse = lambda address: None
        self.data_reply: str | None = None
        self.received: list[dict] = []
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.refuse(address)
        if reply is not None:
            with self.lock:
                self.refused += 1
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_reply is not None:
            with self.lock:
                self.refused += 1
            return self.data_reply
        msg = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.received.append({"to": list(envelope.rcpt_tos), "message_id": str(msg["Message-ID"]),
                                  "subject": str(msg["subject"])})
        return "250 OK"

    def recipients(self) -> Counter:
        return Counter(address for mail in self.received for address in mail["to"])


@pytest.fixture
def server(app):
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with mail_points_at(app, controller.port):
            yield handler
    finally:
        controller.stop()


class Person:
    def __init__(self, name: str):
        self.name = name


def no_other_mail() -> None:
    """Registering an account queues its confirmation mail: not part of these tests."""
    db.session.execute(delete(OutboxMessage))
    db.session.commit()


def queue(recipients, *, at=T, event_id=None, secret=False) -> list[int]:
    ids = []
    for address in recipients:
        row = queue_mail(template="password_changed", recipient=address, language="en", now=at, event_id=event_id,
                         secret=secret, user=Person(address.split("@")[0].title()))
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids


def rows(ids) -> list[OutboxMessage]:
    db.session.expire_all()
    return [db.session.get(OutboxMessage, i) for i in ids]


def run_clock(start, end, step=MINUTE):
    """send_pending at every step from start to end (inclusive); the totals of its counts."""
    totals = Counter()
    moment = start
    while moment <= end:
        totals.update(send_pending(now=moment))
        moment += step
    return totals


ADDRESSES = [f"person{i}@example.org" for i in range(6)]


def test_an_hour_of_refused_connections_keeps_every_mail_pending_and_then_delivers_each_once(app, ctx, server):
    ids = queue(ADDRESSES[:3], at=T) + queue(ADDRESSES[3:], at=T + 30 * MINUTE)
    with mail_points_at(app, free_port()):  # nothing listens there: every connection is refused
        seen_delays = {i: [] for i in ids}
        last_try = {}
        moment = T
        while moment <= T + timedelta(hours=1):
            before = {r.id: r.attempts for r in rows(ids)}
            counts = send_pending(now=moment)
            assert counts["sent"] == 0 and counts["failed"] == 0
            for row in rows(ids):
                assert row.status is OutboxStatus.pending, row.last_error
                if row.attempts > before[row.id]:  # tried at this minute
                    assert "ConnectionRefusedError" in row.last_error or "Errno" in row.last_error
                    if row.id in last_try:
                        seen_delays[row.id].append(moment - last_try[row.id])
                    last_try[row.id] = moment
                    assert row.next_attempt_at == moment + backoff(row.attempts)
            moment += MINUTE
    for row in rows(ids):
        assert row.status is OutboxStatus.pending and row.sent_at is None
    # the waits grow: the first three mails were tried at minutes 0, 1, 3, 7, 15, 31 (63 would be next), those
    # queued half an hour later at 30, 31, 33, 37, 45 (61 would be next)
    first, late = rows(ids)[0], rows(ids)[-1]
    assert seen_delays[first.id] == [m * MINUTE for m in (1, 2, 4, 8, 16)]
    assert seen_delays[late.id] == [m * MINUTE for m in (1, 2, 4, 8)]
    assert (first.attempts, first.next_attempt_at) == (6, T + 63 * MINUTE)
    assert (late.attempts, late.next_attempt_at) == (5, T + 61 * MINUTE)
    assert server.received == []

    # the server is back: within the longest wait every mail arrives, once
    after = run_clock(T + 61 * MINUTE, T + 61 * MINUTE + backoff(first.attempts))
    assert after == Counter({"sent": 6})
    assert server.recipients() == Counter(dict.fromkeys(ADDRESSES, 1))
    for row in rows(ids):
        assert row.status is OutboxStatus.sent and row.last_error is None
    assert run_clock(T + 3 * timedelta(hours=1), T + 4 * timedelta(hours=1), step=10 * MINUTE) == Counter()
    assert len(server.received) == 6


def test_a_day_of_refused_connections_gives_up_nothing(app, ctx, server):
    ids = queue(ADDRESSES[:2])
    with mail_points_at(app, free_port()):
        moment = T
        while moment < T + timedelta(days=1):  # every moment a mail falls due
            send_pending(now=moment)
            moment = min(r.next_attempt_at for r in rows(ids))
    assert {r.status for r in rows(ids)} == {OutboxStatus.pending}
    assert all(r.attempts >= 10 for r in rows(ids))
    assert all(r.next_attempt_at - moment <= timedelta(hours=6) for r in rows(ids))
    assert send_pending(now=moment + timedelta(hours=6)) == {"sent": 2, "retry": 0, "failed": 0}
    assert server.recipients() == Counter({ADDRESSES[0]: 1, ADDRESSES[1]: 1})


def test_451_replies_for_a_while_then_250_deliver_every_mail_after_recovery(app, ctx, server):
    ids = queue(ADDRESSES)
    server.refuse = lambda address: "451 4.7.1 greylisted, try again later"
    assert run_clock(T, T + 30 * MINUTE) == Counter({"retry": 6 * 5})  # tried at 0, 1, 3, 7, 15 minutes
    for row in rows(ids):
        assert (row.status, row.attempts) == (OutboxStatus.pending, 5)
        assert "451" in row.last_error and "greylisted" in row.last_error
    assert server.refused == 30 and server.received == []

    server.refuse = lambda address: None
    server.data_reply = "451 4.3.0 mailbox busy"  # a refusal at DATA is temporary too
    assert run_clock(T + 31 * MINUTE, T + 31 * MINUTE) == Counter({"retry": 6})
    assert all("mailbox busy" in r.last_error for r in rows(ids))

    server.data_reply = None
    assert run_clock(T + 32 * MINUTE, T + 32 * MINUTE + 64 * MINUTE) == Counter({"sent": 6})
    assert server.recipients() == Counter(dict.fromkeys(ADDRESSES, 1))
    assert {(r.status, r.attempts, r.last_error) for r in rows(ids)} == {(OutboxStatus.sent, 7, None)}


def test_550_for_one_address_fails_that_mail_only_and_a_resend_delivers_it(app, ctx, server):
    event = make_event()
    chair = make_user(email="chair@example.org")
    no_other_mail()
    ghost = "ghost@example.org"
    ids = queue([ADDRESSES[0], ghost, ADDRESSES[1], ADDRESSES[2]], event_id=event.id)
    server.refuse = lambda address: "550 5.1.1 <ghost@example.org>: no such mailbox" if address == ghost else None
    assert send_pending(now=T) == {"sent": 3, "retry": 0, "failed": 1}
    by_address = {r.recipient: r for r in rows(ids)}
    failed = by_address[ghost]
    assert (failed.status, failed.attempts, failed.sent_at) == (OutboxStatus.failed, 1, None)
    assert "550" in failed.last_error and "no such mailbox" in failed.last_error
    assert {a: r.status for a, r in by_address.items() if a != ghost} == dict.fromkeys(ADDRESSES[:3],
                                                                                        OutboxStatus.sent)
    assert server.recipients() == Counter(dict.fromkeys(ADDRESSES[:3], 1))
    # never tried again by itself
    assert run_clock(T + MINUTE, T + timedelta(hours=3), step=10 * MINUTE) == Counter()

    # the mailbox now exists: the committee sends it again
    server.refuse = lambda address: None
    resend_message(failed, actor=chair, now=T + timedelta(hours=4))
    db.session.commit()
    failed = rows([failed.id])[0]
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (OutboxStatus.pending, 0,
                                                                        T + timedelta(hours=4))
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.resend"))
    assert (audit.actor_id, audit.event_id, audit.object_type, audit.object_id, audit.from_state,
            audit.to_state) == (chair.id, event.id, "outbox_message", failed.id, "failed", "pending")
    assert send_pending(now=T + timedelta(hours=4)) == {"sent": 1, "retry": 0, "failed": 0}
    assert server.recipients() == Counter(dict.fromkeys([*ADDRESSES[:3], ghost], 1))
    assert rows([failed.id])[0].status is OutboxStatus.sent
    # a sent mail is not sent again
    with pytest.raises(InvalidState):
        resend_message(rows([failed.id])[0], actor=chair, now=T + timedelta(hours=5))
    db.session.rollback()


def test_a_failed_mail_with_a_one_time_link_cannot_be_resent_its_text_is_gone(app, ctx, server):
    chair = make_user(email="chair@example.org", admin=True)
    no_other_mail()
    [row_id] = queue(["ghost@example.org"], secret=True)
    server.refuse = lambda address: "550 5.1.1 no such mailbox"
    assert send_pending(now=T) == {"sent": 0, "retry": 0, "failed": 1}
    row = rows([row_id])[0]
    assert row.body_text == REDACTED
    with pytest.raises(InvalidState, match="one-time link|Einmal-Link"):  # in the default language, German
        resend_message(row, actor=chair, now=T + MINUTE)
    db.session.rollback()
    row = rows([row_id])[0]
    assert row.status is OutboxStatus.failed
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "outbox.resend")) == 0


def test_a_temporary_failure_in_one_round_does_not_knock_again_for_every_mail(app, ctx):
    """A refused connection is tried once per round, not once per mail (a real server would time out each)."""
    ids = queue(ADDRESSES)
    with mail_points_at(app, free_port()):
        started = time.perf_counter()
        assert send_pending(now=T) == {"sent": 0, "retry": 6, "failed": 0}
    assert time.perf_counter() - started < 5
    errors = {r.last_error for r in rows(ids)}
    assert len(errors) == 1 and "Errno" in errors.pop()


class HangingUp(Server):
    """Closes the connection after each accepted mail, as a server does at its idle timeout."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        asyncio.get_running_loop().call_soon(server.transport.close)
        return reply


def test_a_connection_the_server_closed_between_mails_is_opened_again_for_the_next(app, ctx):
    handler = HangingUp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        ids = queue(ADDRESSES[:3])
        with mail_points_at(app, controller.port):
            assert send_pending(now=T) == {"sent": 3, "retry": 0, "failed": 0}
    finally:
        controller.stop()
    assert handler.recipients() == Counter(dict.fromkeys(ADDRESSES[:3], 1))
    assert {(r.status, r.attempts) for r in rows(ids)} == {(OutboxStatus.sent, 1)}


def test_a_failed_login_to_the_smtp_server_is_temporary_and_fails_no_mail(app, ctx, server):
    """A wrong password or a server without AUTH is the setup's fault, not the recipient's: fixed, all go out."""
    ids = queue(ADDRESSES[:3])
    state = app.extensions["mail"]
    state.username, state.password = "outbox", "wrong"
    try:
        assert send_pending(now=T) == {"sent": 0, "retry": 3, "failed": 0}
    finally:
        state.username = state.password = None
    assert all("AUTH" in r.last_error and r.status is OutboxStatus.pending for r in rows(ids))
    assert send_pending(now=T + MINUTE) == {"sent": 3, "retry": 0, "failed": 0}
    assert server.recipients() == Counter(dict.fromkeys(ADDRESSES[:3], 1))


N_MAILS = 1000


def test_two_workers_at_once_deliver_each_of_1000_mails_exactly_once(app, ctx, server):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two workers at once need row locks (SELECT … FOR UPDATE SKIP LOCKED), which SQLite does not "
                    "have; on SQLite run one outbox worker (set TEST_DATABASE_URL to run this on PostgreSQL)")
    addresses = [f"r{i:04d}@example.org" for i in range(N_MAILS)]
    queue(addresses)
    db.session.remove()
    sent_by = {}
    errors = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        with app.app_context():
            total = Counter()
            try:
                start.wait()
                while True:
                    counts = send_pending(now=T + MINUTE, limit=50)
                    total.update(counts)
                    if not any(counts.values()):
                        break
            except Exception as err:  # noqa: BLE001 - reported by the test below
                errors.append(err)
            finally:
                db.session.remove()
            sent_by[name] = total

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - began
    assert not errors
    assert not any(thread.is_alive() for thread in threads)
    # the server received 1,000 distinct mails, each address once
    assert len(server.received) == N_MAILS
    assert server.recipients() == Counter(dict.fromkeys(addresses, 1))
    assert len({mail["message_id"] for mail in server.received}) == N_MAILS
    # both workers took part, and together they sent each row once
    assert sent_by["a"]["sent"] > 0 and sent_by["b"]["sent"] > 0
    assert sent_by["a"]["sent"] + sent_by["b"]["sent"] == N_MAILS
    assert sent_by["a"]["retry"] + sent_by["b"]["retry"] + sent_by["a"]["failed"] + sent_by["b"]["failed"] == 0
    statuses = db.session.execute(select(OutboxMessage.status, OutboxMessage.attempts, func.count())
                                  .group_by(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert statuses == [(OutboxStatus.sent, 1, N_MAILS)]
    assert elapsed < 60, f"{elapsed:.1f} s"
    print(f"\n1,000 mails by two workers in {elapsed:.1f} s: {sent_by['a']['sent']} + {sent_by['b']['sent']}")
