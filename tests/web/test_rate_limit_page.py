"""The page a person sees after too many attempts (429) says how long to wait, leads back to the form and sends
Retry-After; in German and in English."""
from __future__ import annotations

import re
import uuid

import pytest

from review_app.db import db


@pytest.fixture
def limited_app(app, database_url):
    """A second app with rate limiting on (Flask-Limiter reads RATELIMIT_ENABLED only in init_app); the limiter
    is one shared object, restored afterwards."""
    from review_app import create_app
    from review_app.extensions import limiter

    saved = (limiter.enabled, limiter.initialized)
    limited = create_app({
        **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "BASE_URL", "MAIL_SERVER",
                                      "MAIL_PORT", "MAIL_SUPPRESS_SEND", "PASSWORD_HASHING")},
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    })
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled, limiter.initialized = saved
        with limited.app_context():
            db.engine.dispose()


def eleventh_login(client, language: str, path: str = "/login"):
    answers = [client.post(path, data={"email": f"x{i}@example.org", "password": "wrong password"},
                           headers={"Accept-Language": language}) for i in range(11)]
    assert [r.status_code for r in answers] == [401] * 10 + [429]
    return answers[-1]


@pytest.mark.parametrize(("language", "wait", "back"), [
    ("de", "Bitte warten Sie etwa 1 Minute und versuchen Sie es dann erneut.", "Zurück zum Formular"),
    ("en", "Please wait about 1 minute and try again.", "Back to the form"),
])
def test_the_rate_limit_page_says_how_long_to_wait_and_leads_back_to_the_form(limited_app, language, wait, back):
    client = limited_app.test_client()
    blocked = eleventh_login(client, language, "/login?next=/events/")
    page = blocked.get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    assert wait in page
    link = re.search(r'<a href="([^"]+)">' + re.escape(back) + "</a>", page)
    assert link and link.group(1) == "/login?next=/events/"
    seconds = int(blocked.headers["Retry-After"])
    assert 1 <= seconds <= 61


def test_a_limited_page_reached_by_a_link_leads_back_to_the_page_before_if_it_is_ours(limited_app):
    from review_app.extensions import limiter

    limited_app.add_url_rule("/probe", "probe", limiter.limit("1 per hour")(lambda: "fine"))
    client = limited_app.test_client()
    assert client.get("/probe").status_code == 200
    ours = client.get("/probe", headers={"Referer": "http://localhost/events/scd/", "Accept-Language": "en"})
    assert ours.status_code == 429
    page = ours.get_data(as_text=True)
    assert "Please wait about 1 hour and try again." in page
    assert '<a href="/events/scd/">Back to the previous page</a>' in page
    assert 60 * 59 <= int(ours.headers["Retry-After"]) <= 3601
    foreign = client.get("/probe", headers={"Referer": "https://evil.example/phish", "Accept-Language": "en"})
    assert foreign.status_code == 429
    assert "evil.example" not in foreign.get_data(as_text=True)
    assert "Back to the previous page" not in foreign.get_data(as_text=True)
