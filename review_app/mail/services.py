"""Queue mails (rendered now, in the recipient's language) and send the queued ones with retries."""
from __future__ import annotations

import smtplib
import socket
import time as _time
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..db import db, utcnow
from ..errors import InvalidState
from .headers import POLICY
from .models import OutboxMessage, OutboxStatus


def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail: the configured BASE_URL plus the route's path (never the request's Host)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


REDACTED = "[This mail contained a one-time link. Its text was removed after sending.]"


def queue_mail(*, template: str, recipient: str, language: str, now: datetime,
               event_id: int | None = None, secret: bool = False, recipient_name: str | None = None,
               attachments: list[dict] | None = None, **context) -> OutboxMessage:
    """Render templates/mail/<template>.{subject,txt}[.html] in `language` and add an outbox row.

    The row belongs to the caller's transaction: if it rolls back, no mail goes out. `secret`: the body holds a
    one-time link, which is not kept in the database once the mail is sent (or given up). `recipient_name`: the
    display name in To; by default the name of the context's `user` when that is the recipient. `attachments`:
    text files sent along, each {"filename", "content_type", "content"}.
    """
    if recipient_name is None:
        user = context.get("user")
        if getattr(user, "email", None) and user.email.lower() == recipient.lower():
            recipient_name = user.name
    language = language if language in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body_text = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(
        event_id=event_id, template=template, recipient=recipient, recipient_name=recipient_name, language=language,
        subject=" ".join(subject.split()), body_text=body_text, body_html=None,
        status=OutboxStatus.pending, attempts=0, created_at=now, next_attempt_at=now, contains_secret=secret,
        attachments=attachments or None,
    )
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each temporary failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def retry_span(attempts: int) -> timedelta:
    """How long the backoff schedule has been retrying once `attempts` tries have been made: the sum of the
    delays before the 2nd … `attempts`-th try (a worker that was down only makes the real span longer)."""
    return sum((backoff(n) for n in range(1, attempts)), timedelta())


def give_up_after() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_GIVE_UP_AFTER"])


def _retry_delay(attempts: int) -> timedelta | None:
    """After `attempts` tries, the last a temporary failure: the wait before the next, or None to give up.

    A mail is given up once its retries have spanned MAIL_GIVE_UP_AFTER, not after a number of tries: an outage
    of an hour or a day must not fail mails that the server accepts once it is back. The last wait is cut short
    so that the final try falls on the end of the span rather than up to six hours after it.
    """
    spent, limit = retry_span(attempts), give_up_after()
    if spent >= limit:
        return None
    return min(backoff(attempts), limit - spent)


def _is_temporary(err: Exception) -> bool:
    if getattr(err, "during_setup", False):
        return True
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in err.recipients.values())
    if isinstance(err, smtplib.SMTPResponseException):
        return 400 <= err.smtp_code < 500
    # connection refused, timeouts, dropped connections: the server may come back
    return isinstance(err, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError, socket.timeout))


def _sender() -> Address:
    """MAIL_DEFAULT_SENDER: "Name <address>" (the name may hold any characters) or a (name, address) pair."""
    configured = current_app.config["MAIL_DEFAULT_SENDER"]
    name, address = configured if isinstance(configured, tuple | list) else parseaddr(configured)
    return Address(display_name=name, addr_spec=address)


def build_message(row: OutboxMessage, *, moment: datetime) -> EmailMessage:
    """The mail for an outbox row: UTF-8 plain text, headers encoded and folded by `headers.POLICY`."""
    sender = _sender()
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = row.subject
    msg["From"] = sender
    msg["To"] = Address(display_name=row.recipient_name or "", addr_spec=row.recipient)
    msg["Date"] = format_datetime(moment)
    msg["Message-ID"] = make_msgid(domain=sender.domain or None)
    msg.set_content(row.body_text, charset="utf-8", cte="quoted-printable")
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for item in row.attachments or ():  # text files only (an .ics): queue_mail's callers make no others
        _maintype, _slash, subtype = item["content_type"].partition("/")
        params = {"method": "PUBLISH"} if subtype == "calendar" else {}
        msg.add_attachment(item["content"], subtype=subtype, charset="utf-8", filename=item["filename"],
                           params=params)
    return msg


def _open_smtp() -> smtplib.SMTP | None:
    """A connection with the MAIL_* settings, as Flask-Mail holds them (tests and `flask dev-server` point them
    elsewhere); None when sending is suppressed."""
    settings = current_app.extensions["mail"]
    if settings.suppress:
        return None
    factory = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    host = factory(settings.server, settings.port, timeout=current_app.config["MAIL_TIMEOUT"])
    try:
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
    except BaseException:
        _close(host)
        raise
    return host


def _close(host: smtplib.SMTP | None) -> None:
    if host is None:
        return
    try:
        host.quit()
    except (smtplib.SMTPException, OSError):
        host.close()


class _Batch:
    """One SMTP connection for a round of sending, opened when the first mail needs it.

    After a failed mail the connection is dropped and the next mail opens a new one (whatever state the server
    left the session in). A connection that carried earlier mails and turns out closed (the server's idle
    timeout) is opened again once for the mail at hand. If opening fails, the rest of the round gets the same
    error without knocking again: a server that refused a connection a moment ago refuses the next one too, and
    a round of 100 mails must not wait 100 connection timeouts.
    """

    def __init__(self):
        self.host: smtplib.SMTP | None = None
        self.open = False
        self.used = 0  # mails sent over the open connection
        self.connect_error: Exception | None = None

    def _connect(self) -> None:
        if self.connect_error is not None:
            raise self.connect_error
        try:
            self.host = _open_smtp()
        except Exception as err:
            # whatever fails before the first mail (connection, STARTTLS, login: a wrong password too) is the
            # server's or our setup's, never the recipient's: temporary, so that fixing it loses no mail
            err.during_setup = True
            self.connect_error = err
            raise
        self.open, self.used = True, 0

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        if not self.open:
            self._connect()
        if self.host is None:  # sending suppressed
            return
        try:
            try:
                self.host.sendmail(sender, [recipient], data)
            except smtplib.SMTPServerDisconnected:
                if not self.used:
                    raise
                self.close()
                self._connect()
                self.host.sendmail(sender, [recipient], data)
        except BaseException:
            self.close()
            raise
        self.used += 1

    def close(self) -> None:
        host, self.host, self.open = self.host, None, False
        _close(host)


def _due(moment: datetime):
    return (select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= moment)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True))


def send_pending(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send up to `limit` due outbox rows over one SMTP connection, committing after each mail: a crash re-sends
    at most the one mail in flight.

    Each row is locked while it is sent (SELECT … FOR UPDATE SKIP LOCKED): on PostgreSQL several workers may run
    at once and each mail goes out once. SQLite has no row locks; run a single worker there. A temporary failure
    (a refused or dropped connection, a 4xx reply) leaves the row pending with backoff until its retries have
    spanned MAIL_GIVE_UP_AFTER; a permanent one (5xx) fails it at once. The text of a mail with a one-time link
    is blanked once it is sent or given up.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    batch = _Batch()
    try:
        for _ in range(limit):
            moment = now or utcnow()
            row = db.session.scalars(_due(moment)).first()
            if row is None:
                break
            row.attempts += 1
            try:
                msg = build_message(row, moment=moment)
                batch.send(msg["From"].addresses[0].addr_spec, row.recipient, msg.as_bytes())
            except Exception as err:  # noqa: BLE001 - every SMTP failure is recorded on the row
                row.last_error = f"{type(err).__name__}: {err}"[:2000]
                delay = _retry_delay(row.attempts) if _is_temporary(err) else None
                if delay is not None:
                    row.next_attempt_at = moment + delay
                    counts["retry"] += 1
                else:
                    row.status = OutboxStatus.failed
                    counts["failed"] += 1
            else:
                row.status = OutboxStatus.sent
                row.sent_at = moment
                row.last_error = None
                counts["sent"] += 1
            if row.contains_secret and row.status is not OutboxStatus.pending:
                row.body_text, row.body_html = REDACTED, None
            db.session.commit()
    finally:
        batch.close()
    return counts


# The outbox pages (the committee's for its event, the site admin's for all): queries and the one change, resend.
# `event_id=None` means every mail, those of no event (account mails) included; the caller checks who may look.
PAGE_SIZE = 100


def _scoped(stmt, event_id: int | None):
    return stmt if event_id is None else stmt.where(OutboxMessage.event_id == event_id)


def outbox_counts(*, event_id: int | None) -> dict[OutboxStatus, int]:
    """How many mails are pending, sent and failed (every status present, zero or not)."""
    rows = db.session.execute(_scoped(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status),
                                      event_id)).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({OutboxStatus(status): number for status, number in rows})
    return counts


def outbox_messages(*, event_id: int | None, status: OutboxStatus | None = None, page: int = 1,
                    per_page: int = PAGE_SIZE) -> list[OutboxMessage]:
    """One page of mails, newest first; `status` None: all."""
    stmt = _scoped(select(OutboxMessage), event_id)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    stmt = stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    return list(db.session.scalars(stmt.offset((max(page, 1) - 1) * per_page).limit(per_page)))


def load_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def is_redacted(message: OutboxMessage) -> bool:
    """The mail held a one-time link whose text was removed once it was sent or given up."""
    return message.contains_secret and message.body_text == REDACTED


def can_resend(message: OutboxMessage) -> bool:
    """A failed mail may be queued again, unless its text (a one-time link) is gone."""
    return message.status is OutboxStatus.failed and not is_redacted(message)


def resend(message: OutboxMessage, *, now: datetime) -> None:
    """Queue a failed mail again: pending, due now, with a fresh retry span. The last error stays on the row
    until the next try. The caller checks who may do this and writes the audit row (`mail` knows no users).

    Refused (409) for a mail that is not failed, and for one whose one-time link was removed when sending was
    given up: the person must ask for a new link.
    """
    if is_redacted(message) and message.status is OutboxStatus.failed:
        raise InvalidState(_("This mail held a one-time link, which was removed when sending it was given up, so "
                             "it cannot be sent again. Ask the person to request a new link (for example a new "
                             "confirmation mail or password reset)."))
    if not can_resend(message):
        raise InvalidState(_("Only a failed mail can be sent again."))
    message.status = OutboxStatus.pending
    message.attempts = 0
    message.next_attempt_at = now
    message.sent_at = None
    db.session.flush()


def run_worker(*, interval: float = 2.0, stop=None) -> None:
    """Keep sending until `stop` (a threading.Event) is set."""
    while stop is None or not stop.is_set():
        try:
            send_pending()
        except Exception:  # noqa: BLE001 - the worker must survive a database hiccup
            db.session.rollback()
            current_app.logger.exception("outbox worker: sending failed")
        finally:
            db.session.remove()
        if stop is not None:
            stop.wait(interval)
        else:
            _time.sleep(interval)
