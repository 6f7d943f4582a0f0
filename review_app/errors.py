"""Domain errors and how they, and HTTP errors, become pages in the site's layout."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
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


TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("No longer valid"),
    413: _l("Too large"),
    422: _l("Invalid input"),
    429: _l("Too many requests"),
    500: _l("Server error"),
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


def error_page(status: int, message: str | None = None):
    from .db import db

    db.session.rollback()
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[400]),
            message=message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[400]),
        ),
        status,
    )


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
        # two requests raced past a service's check into a UNIQUE or foreign-key constraint: nothing was saved
        return error_page(409)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        status = err.code or 500
        # werkzeug's own descriptions are English; ours are translated.
        message = DEFAULT_MESSAGES.get(status) if status in DEFAULT_MESSAGES else err.description
        if status == 429:
            message = DEFAULT_MESSAGES[429]
        resp = error_page(status, message)
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            return resp[0], status, {"Allow": ", ".join(err.valid_methods)}
        return resp

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_page(500)
