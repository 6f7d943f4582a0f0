"""The outbox pages: an event's mails for its committee, every mail for the site admin; resending a failed one."""
from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import navigation
from ..audit.models import record
from ..db import db
from ..errors import DomainError, NotFound, error_page
from ..forms import ActionForm
from ..mail import services as mail
from ..mail.models import OutboxMessage, OutboxStatus
from ..navigation import Link
from ..web import clock
from .models import Event
from .permissions import is_admin
from .views import bp, managed_event


def _status_labels() -> dict[OutboxStatus, str]:
    return {OutboxStatus.pending: _("Pending"), OutboxStatus.sent: _("Sent"), OutboxStatus.failed: _("Failed")}


@navigation.event_link_provider
def _outbox_link(event):
    yield Link("outbox", _("Outbox"), url_for("manage.outbox", slug=event.slug), order=100)


@navigation.admin_link_provider
def _admin_outbox_link():
    yield Link("outbox", _("Outbox"), url_for("manage.admin_outbox"), order=70)


def resend_message(message: OutboxMessage, *, actor, now: datetime) -> None:
    """Queue a failed mail again (`mail.services.resend`: pending, due now) and write the audit row
    `outbox.resend`. Refused (409) for a mail that is not failed or whose one-time link was removed."""
    mail.resend(message, now=now)
    record(actor=actor, action="outbox.resend", obj=message, now=now, from_state=OutboxStatus.failed.value,
           to_state=OutboxStatus.pending.value, template=message.template)


def _status_filter() -> OutboxStatus | None:
    raw = request.args.get("status", "")
    if raw in ("", "all"):
        return None
    try:
        return OutboxStatus(raw)
    except ValueError:
        abort(400, _("Unknown status. Choose pending, sent or failed."))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= 100_000:
        abort(400, _("Unknown page number."))
    return int(raw)


def _outbox_page(*, event: Event | None, event_id: int | None, endpoint: str, **url_values):
    status, page = _status_filter(), _page_number()
    messages = mail.outbox_messages(event_id=event_id, status=status, page=page, per_page=mail.PAGE_SIZE + 1)
    more = len(messages) > mail.PAGE_SIZE
    events = {}
    if event is None:  # the site-wide page names each mail's event
        ids = {m.event_id for m in messages if m.event_id is not None}
        if ids:
            events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(ids)))}
    return render_template(
        "manage/outbox.html", event=event, events=events, messages=messages[:mail.PAGE_SIZE],
        counts=mail.outbox_counts(event_id=event_id), status=status, page=page, more=more,
        labels=_status_labels(), statuses=list(OutboxStatus), endpoint=endpoint, url_values=url_values,
        can_resend=mail.can_resend, is_redacted=mail.is_redacted, action_form=ActionForm(),
        timezone=event.timezone if event is not None else current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _resend(message: OutboxMessage | None, *, back: str, event_id: int | None):
    """The POST (its CSRF token checked by CSRFProtect): a message of another event is hidden (404)."""
    if message is None or (event_id is not None and message.event_id != event_id):
        raise NotFound(_("This page does not exist or is not visible to you."))
    try:
        resend_message(message, actor=current_user._get_current_object(), now=clock())
    except DomainError as err:
        return error_page(err.status, err.message, back_url=back, back_label=_("Back to the outbox"))
    db.session.commit()
    flash(_("The mail to %(recipient)s is queued again.", recipient=message.recipient), "success")
    return redirect(back)


@bp.get("/events/<slug>/manage/outbox")
@login_required
def outbox(slug: str):
    """The event's mails for its committee (and the site admin); to anyone else the page does not exist."""
    event = managed_event(slug)
    return _outbox_page(event=event, event_id=event.id, endpoint="manage.outbox", slug=slug)


@bp.post("/events/<slug>/manage/outbox/<int:message_id>/resend")
@login_required
def resend(slug: str, message_id: int):
    event = managed_event(slug)
    return _resend(mail.load_message(message_id), event_id=event.id,
                   back=url_for("manage.outbox", slug=slug, status="failed"))


@bp.get("/admin/outbox")
@login_required
def admin_outbox():
    """Every mail, those of no event (account mails) included: for the site admin only."""
    if not is_admin(current_user):
        abort(404)
    return _outbox_page(event=None, event_id=None, endpoint="manage.admin_outbox")


@bp.post("/admin/outbox/<int:message_id>/resend")
@login_required
def admin_resend(message_id: int):
    if not is_admin(current_user):
        abort(404)
    return _resend(mail.load_message(message_id), event_id=None,
                   back=url_for("manage.admin_outbox", status="failed"))
