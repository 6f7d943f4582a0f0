"""Queue mails (rendered now, in the recipient's language) and send the queued ones with retries."""
from __future__ import annotations

import smtplib
import socket
import time as _time
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import select

from ..db import db, utcnow
from ..extensions import mail
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
               event_id: int | None = None, secret: bool = False, **context) -> OutboxMessage:
    """Render templates/mail/<template>.{subject,txt}[.html] in `language` and add an outbox row.

    The row belongs to the caller's transaction: if it rolls back, no mail goes out. `secret`: the body holds a
    one-time link, which is not kept in the database once the mail is sent (or given up).
    """
    language = language if language in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body_text = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(
        event_id=event_id, template=template, recipient=recipient, language=language,
        subject=" ".join(subject.split()), body_text=body_text, body_html=None,
        status=OutboxStatus.pending, attempts=0, created_at=now, next_attempt_at=now, contains_secret=secret,
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
        msg = Message(subject=row.subject, recipients=[row.recipient], body=row.body_text,
                      html=row.body_html, sender=current_app.config["MAIL_DEFAULT_SENDER"])
        row.attempts += 1
        try:
            mail.send(msg)
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
