"""Accounts over HTTP: registration and confirmation mail, server-side login sessions, passwords, profile,
language, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.support import Translations
from sqlalchemy import func, select

from review_app.accounts.models import AccountToken, LoginSession, User
from review_app.accounts.services import hash_token
from review_app.db import db
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, login, make_user

T = DURING_CFP
NEW_PASSWORD = "a brand new passphrase"
CATALOGUE = Path(__file__).resolve().parents[2] / "review_app" / "translations"


@pytest.fixture
def client(app):
    """A browser that prefers English, so that the page texts asserted below are the msgids."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def _user(app, email="anna@example.org", **kwargs):
    with app.app_context():
        user = make_user(email=email, language=kwargs.pop("language", "en"), **kwargs)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email)


def _row_count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _password_hash(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def _session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def _logged_in(client) -> bool:
    r = client.get("/dashboard")
    return r.status_code == 200


def _without_token(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", page)


def _link(body: str, path: str) -> str:
    return re.search(rf"http://localhost({path}\S+)", body).group(1)


def test_registration_queues_one_confirmation_mail_whose_link_confirms_the_account(
    app, client, clock, smtp_server
):
    clock.set(T)
    r = client.post(
        "/register",
        data={
            "name": "Anna Beispiel",
            "email": " Anna@Example.org ",
            "password": "a good long password",
            "password_confirm": "a good long password",
            "organisation": "Stadt Bochum",
            "organisation_type": "city",
            "city": "Bochum",
            "language": "en",
            "privacy_consent": "y",
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    with app.app_context():
        [row] = db.session.scalars(select(OutboxMessage))
        assert (row.template, row.recipient, row.status) == ("confirm_email", "anna@example.org", "pending")
        user = db.session.scalar(select(User))
        assert user.email == "anna@example.org" and user.email_confirmed_at is None
        assert user.password_hash.startswith("$argon2id$")
        assert send_pending(now=T) == {"sent": 1, "retry": 0, "failed": 0}
    [mail] = smtp_server.messages
    assert mail["envelope_to"] == ["anna@example.org"]
    assert mail["subject"] == "Please confirm your email address"
    assert "Anna Beispiel" in mail["body"]
    link = _link(mail["body"], "/confirm/")
    # before confirming: no login, no session row
    r = client.post("/login", data={"email": "anna@example.org", "password": "a good long password"})
    assert r.status_code == 403
    assert "confirm your email address first" in r.get_data(as_text=True)
    assert _row_count(app, LoginSession) == 0
    # the link confirms once
    r = client.get(link)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    with app.app_context():
        assert db.session.scalar(select(User)).email_confirmed_at == T
    # following the link again is harmless: back to the login, the account stays confirmed once
    r = client.get(link)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    with app.app_context():
        assert db.session.scalar(select(User)).email_confirmed_at == T
    r = client.post("/login", data={"email": "anna@example.org", "password": "a good long password"})
    assert r.status_code == 302
    assert _logged_in(client)


def test_passwords_are_stored_as_argon2id(app):
    from argon2 import Type

    from review_app.accounts.services import _HASHERS
    from review_app.config import Defaults

    user = _user(app)
    assert _password_hash(app, user.id).startswith("$argon2id$")
    assert TEST_PASSWORD not in _password_hash(app, user.id)
    assert Defaults.PASSWORD_HASHING == "default"
    assert _HASHERS["default"].type is Type.ID
    # at least OWASP's recommended argon2id parameters (19 MiB, 2 passes), whatever the default becomes
    assert _HASHERS["default"].memory_cost >= 19 * 1024 and _HASHERS["default"].time_cost >= 2


def test_a_password_hashed_with_other_parameters_is_hashed_again_at_login(app, client, clock):
    """Changing PASSWORD_HASHING takes effect for everyone as they next log in, and the old hash stops existing."""
    from argon2 import extract_parameters

    from review_app.accounts.services import _HASHERS

    clock.set(T)
    user = _user(app)
    with app.app_context():
        saved = db.session.get(User, user.id)
        saved.password_hash = _HASHERS["strong"].hash(TEST_PASSWORD)
        db.session.commit()
        old = saved.password_hash
    assert extract_parameters(old).memory_cost == 64 * 1024
    login(client, user)
    new = _password_hash(app, user.id)
    assert new != old
    assert extract_parameters(new) == extract_parameters(_HASHERS[app.config["PASSWORD_HASHING"]].hash("x"))
    client.post("/logout")
    login(client, user)  # the new hash verifies the same password
    assert _password_hash(app, user.id) == new


def test_login_creates_a_server_side_session_and_the_cookie_carries_no_user_id(app, client, clock):
    clock.set(T)
    user = _user(app)
    # a session planted before login (fixation) is replaced, only the language survives
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie("session", serializer.dumps({"lang": "en", "planted": "by an attacker"}))
    login(client, user)
    data = _session_of(app, client)
    assert "planted" not in data and data["lang"] == "en"
    token = data["_user_id"]
    assert token != str(user.id) and len(token) >= 32
    for value in data.values():
        assert value is True or value is False or str(value) != str(user.id)
    assert user.email not in client.get_cookie("session").value
    with app.app_context():
        [row] = db.session.scalars(select(LoginSession))
        assert row.user_id == user.id and row.token_hash == hash_token(token)
        assert row.created_at == T and row.expires_at == T + timedelta(
            seconds=app.config["LOGIN_SESSION_TTL"]
        )
    assert _logged_in(client)


def test_every_login_gets_a_new_session_id(app, client, clock):
    clock.set(T)
    user = _user(app)
    client.post("/language", data={"lang": "en"})
    before_login = client.get_cookie("session").value
    login(client, user)
    first = client.get_cookie("session").value
    assert first != before_login
    first_token = _session_of(app, client)["_user_id"]
    client.post("/logout")
    login(client, user)
    assert _session_of(app, client)["_user_id"] != first_token


def test_logout_deletes_the_session_row_and_a_copied_cookie_stops_working(app, client, clock):
    clock.set(T)
    user = _user(app)
    login(client, user)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert _logged_in(thief)  # the copy works while the login lasts
    r = client.post("/logout")
    assert r.status_code == 302
    assert _row_count(app, LoginSession) == 0
    assert not _logged_in(client)
    thief.set_cookie("session", copied)
    r = thief.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def _change(client, current, new=NEW_PASSWORD):
    return client.post(
        "/profile/password", data={"current_password": current, "password": new, "password_confirm": new}
    )


def test_changing_the_password_needs_the_current_one(app, client, clock):
    clock.set(T)
    user = _user(app)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, user)
    login(other, user)
    old_hash = _password_hash(app, user.id)
    r = _change(client, "not my password")
    assert r.status_code == 403
    assert "current password is wrong" in r.get_data(as_text=True)
    assert _password_hash(app, user.id) == old_hash
    assert _row_count(app, LoginSession) == 2
    assert _logged_in(client) and _logged_in(other)
    assert _row_count(app, OutboxMessage, OutboxMessage.template == "password_changed") == 0


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, clock):
    clock.set(T)
    user = _user(app)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, user)
    login(other, user)
    token_before = _session_of(app, client)["_user_id"]
    r = _change(client, TEST_PASSWORD)
    assert r.status_code == 302
    assert _logged_in(client)
    assert _session_of(app, client)["_user_id"] != token_before  # a fresh session id
    assert not _logged_in(other)
    assert _row_count(app, LoginSession) == 1
    assert _row_count(app, OutboxMessage, OutboxMessage.template == "password_changed") == 1
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def _request_reset(app, client, smtp_server, email):
    r = client.post("/password/forgot", data={"email": email})
    with app.app_context():
        send_pending(now=T + timedelta(days=1))
    return r


def test_a_password_reset_link_works_once_and_ends_every_session(app, client, clock, smtp_server):
    clock.set(T)
    user = _user(app)
    logged_in_elsewhere = app.test_client()
    login(logged_in_elsewhere, user)
    r = _request_reset(app, client, smtp_server, "ANNA@example.org")
    assert r.status_code == 302
    [mail] = [m for m in smtp_server.to("anna@example.org") if m["subject"] == "Set a new password"]
    link = _link(mail["body"], "/password/reset/")
    assert client.get(link).status_code == 200
    r = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert _row_count(app, LoginSession) == 0
    assert not _logged_in(logged_in_elsewhere)
    # the link is used up
    hash_after_reset = _password_hash(app, user.id)
    assert client.get(link).status_code == 400
    r = client.post(
        link, data={"password": "yet another passphrase", "password_confirm": "yet another passphrase"}
    )
    assert r.status_code == 400
    assert _password_hash(app, user.id) == hash_after_reset
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 401
    login(client, SimpleNamespace(email=user.email), NEW_PASSWORD)


def test_an_expired_password_reset_link_is_refused(app, client, clock, smtp_server):
    clock.set(T)
    user = _user(app)
    _request_reset(app, client, smtp_server, user.email)
    [mail] = [m for m in smtp_server.to(user.email) if m["subject"] == "Set a new password"]
    link = _link(mail["body"], "/password/reset/")
    old_hash = _password_hash(app, user.id)
    clock.set(T + timedelta(seconds=app.config["PASSWORD_RESET_TTL"]))
    r = client.get(link)
    assert r.status_code == 400
    assert "expired" in r.get_data(as_text=True)
    clock.set(T + timedelta(seconds=app.config["PASSWORD_RESET_TTL"] + 60))
    r = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 400
    assert _password_hash(app, user.id) == old_hash
    with app.app_context():
        assert (
            db.session.scalar(select(AccountToken.used_at).where(AccountToken.purpose == "reset_password"))
            is None
        )


def test_a_reset_request_for_an_unknown_address_answers_the_same_and_sends_nothing(
    app, client, clock, smtp_server
):
    clock.set(T)
    user = _user(app)
    with app.app_context():
        send_pending(now=T)  # the registration mail
    smtp_server.messages.clear()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/login"
    # The signed CSRF token carries the second it was made in; everything else must be byte for byte the same.
    assert _without_token(known.get_data(as_text=True)) == _without_token(unknown.get_data(as_text=True))
    assert "TOKEN" in _without_token(unknown.get_data(as_text=True))
    assert "If an account exists for this address" in unknown.get_data(as_text=True)
    assert _row_count(app, OutboxMessage, OutboxMessage.template == "reset_password") == 1
    assert _row_count(app, OutboxMessage, OutboxMessage.recipient == "nobody@example.org") == 0
    with app.app_context():
        send_pending(now=T)
    assert [m["envelope_to"] for m in smtp_server.messages] == [[user.email]]


def test_the_profile_saves_bio_and_language(app, client, clock):
    clock.set(T)
    user = _user(app)
    login(client, user)
    r = client.post(
        "/profile",
        data={
            "name": "Anna B.",
            "organisation": "Stadt Bochum",
            "organisation_type": "administration",
            "city": "Bochum",
            "bio": "Leitet das Smart-City-Team.",
            "language": "de",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.name, saved.bio, saved.language, saved.organisation_type.value, saved.city) == (
            "Anna B.",
            "Leitet das Smart-City-Team.",
            "de",
            "administration",
            "Bochum",
        )
    page = client.get("/profile").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Leitet das Smart-City-Team." in page


def _german(msgid: str) -> str | None:
    """The German catalogue's translation of msgid, if the catalogue is compiled."""
    if not (CATALOGUE / "de" / "LC_MESSAGES" / "messages.mo").exists():
        return None
    translated = Translations.load(str(CATALOGUE), ["de"]).gettext(msgid)
    return translated if translated != msgid else None


def test_the_language_switch_sets_german_or_english_pages(app, client):
    r = client.post("/language", data={"lang": "de", "next": "/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in page
    german = _german("Log in")
    if german:
        assert f">{german}</a>" in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert ">Log in</a>" in page
    # an unknown language is refused and changes nothing; a foreign next= is not followed
    assert client.post("/language", data={"lang": "fr", "next": "/"}).status_code == 422
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    r = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"


# ---------------------------------------------------------------- rate limiting


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory://", "redis://127.0.0.1:6379"], ids=["memory", "redis"])
def limited_app(request, app, database_url):
    """A second app with rate limiting on: Flask-Limiter reads RATELIMIT_ENABLED once, in init_app, so
    toggling app.config at runtime does nothing. The limiter is one shared extension object: restore it.
    Runs with the in-process storage and with Redis, the storage several gunicorn workers share."""
    import os
    import uuid

    from review_app import create_app
    from review_app.extensions import limiter

    storage = request.param
    if storage.startswith("redis") and not _redis_reachable():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is required (REQUIRE_REDIS=1) but not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")

    saved = (limiter.enabled, limiter.initialized)
    limited = create_app(
        {
            **{
                k: app.config[k]
                for k in (
                    "TESTING",
                    "SECRET_KEY",
                    "WTF_CSRF_ENABLED",
                    "BASE_URL",
                    "MAIL_SERVER",
                    "MAIL_PORT",
                    "MAIL_SUPPRESS_SEND",
                    "PASSWORD_HASHING",
                )
            },
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # counts of other runs never leak in
            # and the reset below (which deletes every key under the storage's own prefix) never wipes the counts
            # of a run beside this one (CI runs the suite on SQLite and PostgreSQL at once against one Redis)
            **({"RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"LIMITS-test-{uuid.uuid4().hex}"}}
               if storage.startswith("redis") else {}),
        }
    )
    assert type(limiter.storage).__name__ == ("RedisStorage" if storage.startswith("redis") else "MemoryStorage")
    assert not storage.startswith("redis") or limiter.storage.key_prefix.startswith("LIMITS-test-")
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled, limiter.initialized = saved
        with limited.app_context():
            db.engine.dispose()


def test_the_eleventh_login_attempt_within_a_minute_answers_429_with_the_site_error_page(limited_app):
    client = limited_app.test_client()
    answers = [
        client.post(
            "/login",
            data={"email": f"x{i}@example.org", "password": "wrong password"},
            headers={"Accept-Language": "en"},
        )
        for i in range(11)
    ]
    assert [r.status_code for r in answers[:10]] == [401] * 10
    last = answers[10]
    assert last.status_code == 429
    page = last.get_data(as_text=True)
    assert "Too many attempts. Please wait about 1 minute and try again." in page  # see test_rate_limit_page.py
    assert 'class="error-message"' in page and "<html lang=" in page
    assert "Retry-After" in last.headers
    # other pages are not limited
    assert client.get("/").status_code == 200


def test_the_sixth_login_attempt_on_one_account_answers_429_whatever_address_it_comes_from(limited_app):
    client = limited_app.test_client()
    answers = [
        client.post("/login", data={"email": "Target@example.org", "password": "guess"},
                    environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}).status_code
        for i in range(1, 7)
    ]
    assert answers == [401] * 5 + [429]
    # another account is not affected
    r = client.post("/login", data={"email": "other@example.org", "password": "guess"},
                    environ_base={"REMOTE_ADDR": "192.0.2.50"})
    assert r.status_code == 401


@pytest.mark.parametrize("path", ["/register", "/password/forgot", "/confirm"])
def test_registration_reset_and_resend_are_rate_limited_per_client(limited_app, path):
    client = limited_app.test_client()
    codes = [client.post(path, data={"email": f"n{i}@example.org"}).status_code for i in range(11)]
    assert codes[-1] == 429 and 429 not in codes[:10]


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client_address(limited_app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    inner = limited_app.wsgi_app
    limited_app.wsgi_app = ProxyFix(inner, x_for=1)
    try:
        client = limited_app.test_client()
        for i in range(10):
            client.post("/login", data={"email": f"a{i}@example.org", "password": "x"},
                        headers={"X-Forwarded-For": "198.51.100.1"})
        blocked = client.post("/login", data={"email": "b@example.org", "password": "x"},
                              headers={"X-Forwarded-For": "198.51.100.1"})
        other = client.post("/login", data={"email": "c@example.org", "password": "x"},
                            headers={"X-Forwarded-For": "198.51.100.2"})
        assert (blocked.status_code, other.status_code) == (429, 401)
    finally:
        limited_app.wsgi_app = inner
