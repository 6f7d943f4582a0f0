"""Small helpers shared by the views: the clock, safe redirects, form pages with the right status."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from werkzeug.routing import IntegerConverter

from .db import utcnow

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: an id beyond the 32-bit integer columns cannot exist, so it is a 404,
    not an overflow in the database driver (a 500)."""

    def __init__(self, map, *args, max: int = MAX_ID, **kwargs):
        super().__init__(map, *args, max=max, **kwargs)


def coerce_id(value) -> int:
    """An id sent in a form, for fields that do not check it against their choices: an integer the id columns
    can hold, or ValueError (the field's error) — never a number that overflows the database driver."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("not an id")
    return number


def clock() -> datetime:
    """The current moment; tests may set CLOCK to a callable to move time."""
    fake = current_app.config.get("CLOCK")
    return fake() if fake else utcnow()


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login."""
    if not target:
        return default
    if any(ord(c) < 32 or ord(c) == 127 for c in target):  # CR/LF would split the Location header
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def form_page(template: str, form, *, status: int | None = None, **context):
    """Render a form page; a submitted form that failed validation answers 422."""
    if status is None:
        status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, **context), status


def user_agent(request) -> str:
    return (request.user_agent.string or "")[:200]
