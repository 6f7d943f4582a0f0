"""Lengths of time are written one way, in the page's language."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from review_app.i18n import format_duration

CASES = [
    (20, "20 Min.", "20 min"),
    (0, "0 Min.", "0 min"),
    (60, "1 Std.", "1 h"),
    (90, "1 Std. 30 Min.", "1 h 30 min"),
    (125, "2 Std. 5 Min.", "2 h 5 min"),
    (24 * 60, "1 Tag", "1 day"),
    (2 * 24 * 60, "2 Tage", "2 days"),
    (25 * 60, "25 Std.", "25 h"),  # not a whole day: hours
]


@pytest.mark.parametrize("minutes, german, english", CASES)
def test_format_duration_in_german_and_english(app, minutes, german, english):
    with app.test_request_context("/"):
        with force_locale("de"):
            assert format_duration(minutes) == german
        with force_locale("en"):
            assert format_duration(minutes) == english
