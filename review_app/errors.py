"""Domain errors and how they, and HTTP errors, become pages in the site's layout."""
from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain refused an action; `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class InvalidState(DomainError):
    status = 409


class DeadlinePassed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


# Which integrity errors are races (two writers at once: the one that lost may simply try again, 409) and which
# are bugs (the code sent something the schema forbids: 500, logged). PostgreSQL names the constraint's kind in the
# SQLSTATE; SQLite (Python's sqlite3) in the error's message. Anything unknown counts as a bug.
RACE_SQLSTATES = frozenset({"23505", "23P01"})  # unique_violation, exclusion_violation (the room-overlap guard)
BUG_SQLSTATES = frozenset({"23502", "23514", "23503"})  # not_null, check, foreign_key violations
SQLITE_RACE_MARKS = ("UNIQUE constraint failed", "schedule_entry_room_lane_overlap")  # the last: the overlap trigger
SQLITE_BUG_MARKS = ("NOT NULL constraint failed", "CHECK constraint failed", "FOREIGN KEY constraint failed")


def is_race(err: IntegrityError) -> bool:
    """Did a concurrent write cause this (a UNIQUE or the room-overlap guard), rather than a bug (NOT NULL, CHECK,
    FOREIGN KEY, or anything unknown)? Services that turn an IntegrityError into a Conflict should ask this first."""
    orig = getattr(err, "orig", err)
    sqlstate = getattr(orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in RACE_SQLSTATES
    message = str(orig)
    if any(mark in message for mark in SQLITE_BUG_MARKS):
        return False
    return any(mark in message for mark in SQLITE_RACE_MARKS)


# what a person reads as the page's title and heading: plain words; the status code is only a small detail
TITLES = {
    400: _l("Request not understood"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not possible this way"),
    409: _l("Not possible"),
    410: _l("Link no longer valid"),
    413: _l("Too much data"),
    422: _l("Please check your input"),
    429: _l("Please wait a moment"),
    500: _l("Something went wrong"),
}

DEFAULT_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("The page you asked for does not exist or is not visible to you."),
    405: _l("This address does not accept this kind of request."),
    409: _l("Someone else changed this in the meantime. Reload the page and try again."),
    410: _l("This link is no longer valid."),
    413: _l("What you sent is too large."),
    422: _l("Some of what you entered is not valid."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}


def error_page(status: int, message: str | None = None, *, back_url: str | None = None,
               back_label: str | None = None):
    """The error page; `back_url` leads back to where the person was (shown besides the start page)."""
    from .db import db

    db.session.rollback()
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[400]),
            message=message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[400]),
            back_url=back_url,
            back_label=back_label,
        ),
        status,
    )


def _seconds_to_wait(err: HTTPException) -> int | None:
    """Until the breached rate limit (the longest, if several) lets requests through again; else the
    exception's own Retry-After."""
    from .extensions import limiter

    breached = [lim for lim in limiter.current_limits if lim.breached] if limiter.enabled else []
    if breached:
        return max(1, math.ceil(max(lim.reset_at for lim in breached) - time.time()))
    retry_after = getattr(err, "retry_after", None)
    if isinstance(retry_after, int | float):
        return max(1, math.ceil(retry_after))
    return None


def _way_back() -> tuple[str | None, str | None]:
    """A form that was sent: its own address; otherwise the page before, if it is one of ours."""
    if request.method == "POST":
        return request.full_path.rstrip("?"), _("Back to the form")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == urlsplit(request.host_url).netloc and referrer.path.startswith("/") \
            and not referrer.path.startswith("//"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else ""), _("Back to the previous page")
    return None, None


def too_many_requests(err: HTTPException):
    """The 429 page: how long to wait, as Retry-After too, and the way back to the form."""
    seconds = _seconds_to_wait(err)
    if seconds is None:
        message = str(DEFAULT_MESSAGES[429])
    elif (minutes := max(1, round(seconds / 60))) < 60:  # "about": the window's reset may be a second later
        message = ngettext("Too many attempts. Please wait about %(num)d minute and try again.",
                           "Too many attempts. Please wait about %(num)d minutes and try again.", minutes)
    else:
        hours = max(1, round(minutes / 60))
        message = ngettext("Too many attempts. Please wait about %(num)d hour and try again.",
                           "Too many attempts. Please wait about %(num)d hours and try again.", hours)
    back_url, back_label = _way_back()
    body, status = error_page(429, message, back_url=back_url, back_label=back_label)
    return body, status, ({"Retry-After": str(seconds)} if seconds is not None else {})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return error_page(err.status, err.message)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return error_page(400, str(_l("The form has expired or was not sent from this site. Please try again.")))

    @app.errorhandler(StaleDataError)
    def _stale(err: StaleDataError):
        return error_page(409)

    @app.errorhandler(IntegrityError)
    def _integrity(err: IntegrityError):
        if is_race(err):  # two requests raced past a service's check into a UNIQUE or overlap guard
            return error_page(409)
        # a NOT NULL, CHECK or foreign key the code should never have sent: a bug, not the person's doing
        app.logger.exception("Integrity error (a bug, not a race) on %s %s", request.method, request.path)
        return error_page(500)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        status = err.code or 500
        # werkzeug's own descriptions are English: ours replace them; a message given to abort() is already ours
        # (translated) and says more, so it stays
        own = err.description and err.description != type(err).description
        message = err.description if own else DEFAULT_MESSAGES.get(status, err.description)
        if status == 429:
            return too_many_requests(err)
        resp = error_page(status, message)
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            return resp[0], status, {"Allow": ", ".join(err.valid_methods)}
        return resp

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_page(500)
