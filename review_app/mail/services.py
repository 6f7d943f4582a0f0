"""Queue mails (rendered now, in the recipient's language) and send the queued ones with retries."""
from __future__ import annotations

import smtplib
import socket
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from ..db import db, utcnow
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


def _is_temporary(err: Exception) -> bool:
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


@contextmanager
def smtp_connection() -> Iterator[smtplib.SMTP | None]:
    """A connection with the MAIL_* settings, as Flask-Mail holds them (tests and `flask dev-server` point them
    elsewhere); None when sending is suppressed."""
    settings = current_app.extensions["mail"]
    if settings.suppress:
        yield None
        return
    factory = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    host = factory(settings.server, settings.port, timeout=current_app.config["MAIL_TIMEOUT"])
    try:
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        yield host
    finally:
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):
            host.close()


def send_pending(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send due outbox rows, committing after each: a crash re-sends at most the one mail in flight."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for _ in range(limit):
        moment = now or utcnow()
        row = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= moment)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            break
        row.attempts += 1
        try:
            msg = build_message(row, moment=moment)
            with smtp_connection() as host:
                if host is not None:
                    host.sendmail(msg["From"].addresses[0].addr_spec, [row.recipient], msg.as_bytes())
        except Exception as err:  # noqa: BLE001 - every SMTP failure is recorded on the row
            row.last_error = f"{type(err).__name__}: {err}"[:2000]
            if _is_temporary(err) and row.attempts < max_attempts:
                row.next_attempt_at = moment + backoff(row.attempts)
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
    return counts


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
