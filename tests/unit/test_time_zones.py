"""Times are shown in the event's time zone, named as people say it: MEZ/MESZ in German, CET/CEST in English."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from review_app.cfp.permissions import format_deadline
from review_app.i18n import format_in_zone, format_window, zone_name

WINTER = datetime(2024, 12, 1, 22, 59, tzinfo=UTC)  # 23:59 in Berlin, CET (UTC+1)
SUMMER = datetime(2025, 7, 31, 21, 59, tzinfo=UTC)  # 23:59 in Berlin, CEST (UTC+2)


@pytest.mark.parametrize(("moment", "language", "expected"), [
    (WINTER, "de", "Sonntag, 1. Dezember 2024, 23:59 MEZ"),
    (SUMMER, "de", "Donnerstag, 31. Juli 2025, 23:59 MESZ"),
    (WINTER, "en", "Sunday, December 1, 2024, 23:59 CET"),
    (SUMMER, "en", "Thursday, July 31, 2025, 23:59 CEST"),
])
def test_a_moment_names_the_zone_after_the_time(app, moment, language, expected):
    with app.test_request_context(), force_locale(language):
        assert format_in_zone(moment, "Europe/Berlin", "full") == expected
        event = SimpleNamespace(cfp_closes_at=moment, timezone="Europe/Berlin")
        deadline = format_deadline(event)  # in the messages that refuse a late change
        assert deadline == format_in_zone(moment, "Europe/Berlin")
        assert deadline.endswith(expected.rsplit(" ", 1)[1]) and "Europe/Berlin" not in deadline


@pytest.mark.parametrize(("day", "language", "expected"), [
    (datetime(2025, 2, 5, 8, tzinfo=UTC), "de", "Mittwoch, 5. Februar 2025, 09:00–17:00 MEZ"),
    (datetime(2025, 6, 4, 7, tzinfo=UTC), "de", "Mittwoch, 4. Juni 2025, 09:00–17:00 MESZ"),
    (datetime(2025, 2, 5, 8, tzinfo=UTC), "en", "Wednesday, February 5, 2025, 09:00–17:00 CET"),
    (datetime(2025, 6, 4, 7, tzinfo=UTC), "en", "Wednesday, June 4, 2025, 09:00–17:00 CEST"),
])
def test_a_window_names_the_zone_once_at_its_end(app, day, language, expected):
    with app.test_request_context(), force_locale(language):
        assert format_window(day, day.replace(hour=day.hour + 8), "Europe/Berlin") == expected


def test_a_window_across_the_clock_change_names_both(app):
    start, end = datetime(2025, 3, 30, 0, tzinfo=UTC), datetime(2025, 3, 30, 3, tzinfo=UTC)  # 01:00 CET–05:00 CEST
    with app.test_request_context(), force_locale("de"):
        assert format_window(start, end, "Europe/Berlin") == "Sonntag, 30. März 2025, 01:00 MEZ–05:00 MESZ"


def test_zones_without_a_name_in_the_language_show_their_offset(app):
    with app.test_request_context():
        with force_locale("de"):
            assert format_in_zone(SUMMER, "Asia/Kolkata", "short").endswith("03:29 UTC+05:30")
            assert zone_name("Europe/Berlin") == "Mitteleuropäische Zeit"
        with force_locale("en"):
            assert format_in_zone(SUMMER, "America/New_York", "short").endswith("17:59 EDT")
            assert format_in_zone(SUMMER, "Europe/London", "short").endswith("22:59 BST")
            assert zone_name("Europe/Berlin") == "Central European Time"
