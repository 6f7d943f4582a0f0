"""Small helpers shared by the views: the clock, safe redirects, form pages with the right status."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, render_template

from .db import utcnow


def clock() -> datetime:
    """The current moment; tests may set CLOCK to a callable to move time."""
    fake = current_app.config.get("CLOCK")
    return fake() if fake else utcnow()


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login."""
    if not target:
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
