"""Languages: which one a page is in, and dates shown in an event's time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    """The language switch wins, then the user's preference, then the browser's, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # services called from the CLI, the demo seeder or tests raise translated DomainErrors too
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "de"


def format_in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    """A UTC moment as wall-clock time in `zone`, in the page's language: the date in Babel's `fmt`
    ("full", "long", "medium", "short") and the time as HH:mm, e.g. "Sonntag, 1. Dezember 2024, 23:59"."""
    from babel.dates import format_time

    local = moment.astimezone(ZoneInfo(zone))
    locale = _locale()
    return f"{babel_format_date(local.date(), fmt, locale=locale)}, {format_time(local, 'HH:mm', locale=locale)}"


def format_day(day: date, fmt: str = "full") -> str:
    return babel_format_date(day, fmt, locale=_locale())


def format_window(start: datetime, end: datetime, zone: str) -> str:
    """A time window on one day: "Mittwoch, 5. Februar 2025, 09:00–17:00" in the page's language."""
    from babel.dates import format_time

    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    locale = _locale()
    day = babel_format_date(local_start.date(), "full", locale=locale)
    return (f"{day}, {format_time(local_start, 'HH:mm', locale=locale)}"
            f"–{format_time(local_end, 'HH:mm', locale=locale)}")
