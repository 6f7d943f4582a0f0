"""Languages: which one a page is in, and dates shown in an event's time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time, get_timezone_name
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    """The language switch wins, then the user's preference, then the browser's, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # services called from the CLI, the demo seeder or tests raise translated DomainErrors too
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")  # the public programme switches its language by link (?lang=en)
    if asked in languages and request.method == "GET":
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "de"


# Where the page language's own CLDR data has no short name for a zone ("en" says "+0100" for CET), the
# English of these regions does: people in Britain and Ireland say "CET"/"CEST".
_SHORT_NAME_FALLBACKS = {"en": ["en_GB"]}


def zone_abbreviation(local: datetime, locale: str) -> str:
    """The zone at that moment as people say it: "MEZ"/"MESZ" in German, "CET"/"CEST" in English; an offset
    from UTC ("UTC+05:30") where the language has no name for it."""
    for candidate in [locale, *_SHORT_NAME_FALLBACKS.get(locale.split("_")[0], [])]:
        name = get_timezone_name(local, "short", locale=candidate)
        if name and " " not in name and not any(c.isdigit() for c in name):
            return name
    offset = local.strftime("%z")  # "+0530"
    return f"UTC{offset[:3]}:{offset[3:]}" if offset != "+0000" else "UTC"


def zone_name(zone: str) -> str:
    """A zone in general, in the page's language: "Mitteleuropäische Zeit", "Central European Time"."""
    return get_timezone_name(ZoneInfo(zone), "long", locale=_locale())


def format_in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    """A UTC moment as wall-clock time in `zone`, in the page's language: the date in Babel's `fmt`
    ("full", "long", "medium", "short"), the time as HH:mm and the zone as people say it,
    e.g. "Sonntag, 1. Dezember 2024, 23:59 MEZ" or "Sunday, 1 December 2024, 23:59 CET"."""
    local = moment.astimezone(ZoneInfo(zone))
    locale = _locale()
    return (f"{babel_format_date(local.date(), fmt, locale=locale)}, {format_time(local, 'HH:mm', locale=locale)} "
            f"{zone_abbreviation(local, locale)}")


def format_day(day: date, fmt: str = "full") -> str:
    return babel_format_date(day, fmt, locale=_locale())


def format_window(start: datetime, end: datetime, zone: str) -> str:
    """A time window on one day: "Mittwoch, 5. Februar 2025, 09:00–17:00 MEZ" in the page's language
    (the zone named at both ends if a clock change falls inside)."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    locale = _locale()
    day = babel_format_date(local_start.date(), "full", locale=locale)
    first, last = zone_abbreviation(local_start, locale), zone_abbreviation(local_end, locale)
    return (f"{day}, {format_time(local_start, 'HH:mm', locale=locale)}{' ' + first if first != last else ''}"
            f"–{format_time(local_end, 'HH:mm', locale=locale)} {last}")


def format_clock_window(start: datetime, end: datetime, zone: str) -> str:
    """The times of a window only, where the day is said elsewhere: "09:00–17:00"."""
    tz = ZoneInfo(zone)
    locale = _locale()
    first, last = (format_time(moment.astimezone(tz), "HH:mm", locale=locale) for moment in (start, end))
    return f"{first}–{last}"


def format_duration(minutes: int) -> str:
    """A length of time the way people write it, in the page's language: "20 Min." / "20 min",
    "1 Std. 30 Min." / "1 h 30 min"; whole days as days: "1 Tag" / "1 day", "2 Tage" / "2 days"."""
    from flask_babel import gettext, ngettext

    minutes = int(minutes)
    if minutes > 0 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(num)d day", "%(num)d days", days)
    hours, rest = divmod(minutes, 60)
    parts = [gettext("%(num)d h", num=hours)] if hours else []
    if rest or not hours:
        parts.append(gettext("%(num)d min", num=rest))
    return " ".join(parts)
