"""Account security over HTTP: one's login sessions and ending them, the site admin's people page and
deactivation, common passwords refused, registration that does not tell taken addresses apart, Secure cookies,
CSRF tokens that live and die with the login session."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import event, func, select

from review_app.accounts import services
from review_app.accounts.models import LoginSession, User
from review_app.accounts.passwords import common_passwords, is_common_password
from review_app.accounts.services import hash_token
from review_app.audit.models import AuditEntry
from review_app.db import db
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, login, make_user

T = DURING_CFP
COMMON_MESSAGE = "This password is one of the most common ones"
DEACTIVATED_MESSAGE = "This account has been deactivated by the site administration"
CSRF_MESSAGE = "The form has expired or was not sent from this site. Please try again."


def _browser(app, agent: str = "Werkzeug test browser"):
    """A browser that prefers English (the page texts asserted are the msgids) and names itself."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    c.environ_base["HTTP_USER_AGENT"] = agent
    return c


@pytest.fixture
def client(app):
    return _browser(app)


def _user(app, email="anna@example.org", **kwargs):
    with app.app_context():
        user = make_user(email=email, language="en", **kwargs)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email, name=user.name)


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audit(app, action):
    with app.app_context():
        return [(e.actor_id, e.object_type, e.object_id) for e in
                db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def _logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def _token(client, path: str) -> str:
    body = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)


def _csrf_login(client, email, password=TEST_PASSWORD):
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": _token(client, "/login")})
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]


def _session_ids(app, user_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(LoginSession.id).where(LoginSession.user_id == user_id)
                                       .order_by(LoginSession.id)))


# --- one's login sessions ---------------------------------------------------------------------------------------

def test_the_sessions_page_lists_the_live_logins_marks_this_device_and_leaves_out_expired_ones(app, clock):
    clock.set(T)
    user = _user(app)
    laptop, phone = _browser(app, "Firefox on the laptop"), _browser(app, "Safari on the phone")
    login(laptop, user)
    clock.set(T + timedelta(hours=2))
    login(phone, user)
    with app.app_context():
        db.session.add(LoginSession(user_id=user.id, token_hash=hash_token("old"), created_at=T - timedelta(days=20),
                                    expires_at=T - timedelta(days=6), user_agent="An expired browser"))
        db.session.commit()
    body = phone.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on the laptop" in body and "Safari on the phone" in body
    assert "An expired browser" not in body
    assert body.count("this device") == 1
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    [current] = [row for row in rows if "this device" in row]
    assert "Safari on the phone" in current and "End it by logging out." in current
    assert "End all other sessions" in body
    # the most recently used first; the start and last use are shown in Berlin time
    assert body.index("Safari on the phone") < body.index("Firefox on the laptop")
    assert "Nov 1, 2024, 15:00 CET" in current  # T + 2 h, 12:00 + 2 h UTC = 15:00 in Berlin
    # the profile page leads here
    assert 'href="/account/sessions"' in phone.get("/profile").get_data(as_text=True)


def test_ending_another_session_logs_that_browser_out_at_once_and_is_audited(app, clock):
    clock.set(T)
    user = _user(app)
    laptop, phone = _browser(app, "Firefox on the laptop"), _browser(app, "Safari on the phone")
    login(laptop, user)
    login(phone, user)
    laptop_id, phone_id = _session_ids(app, user.id)
    r = phone.post(f"/account/sessions/{laptop_id}/end", follow_redirects=True)
    assert r.status_code == 200
    assert "The login session is ended: that browser is logged out." in r.get_data(as_text=True)
    assert "Firefox on the laptop" not in r.get_data(as_text=True)
    assert _session_ids(app, user.id) == [phone_id]
    r = laptop.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert _logged_in(phone)
    assert _audit(app, "account.end_session") == [(user.id, "user", user.id)]


def test_ending_all_other_sessions_keeps_only_this_one(app, clock):
    clock.set(T)
    user = _user(app)
    others = [_browser(app, f"Browser {i}") for i in range(3)]
    for b in others:
        login(b, user)
    mine = _browser(app, "My browser")
    login(mine, user)
    other_user = _user(app, "bert@example.org")
    bert = _browser(app)
    login(bert, other_user)
    r = mine.post("/account/sessions/end-others", follow_redirects=True)
    assert "Every other login session is ended (3)." in r.get_data(as_text=True)
    assert _count(app, LoginSession, LoginSession.user_id == user.id) == 1
    assert not any(_logged_in(b) for b in others)
    assert _logged_in(mine) and _logged_in(bert)  # someone else's login is not touched
    assert "You are logged in nowhere else." in mine.get("/account/sessions").get_data(as_text=True)


def test_neither_someone_elses_session_nor_this_one_can_be_ended_there(app, clock):
    clock.set(T)
    anna, bert = _user(app), _user(app, "bert@example.org")
    a, b = _browser(app), _browser(app)
    login(a, anna)
    login(b, bert)
    [anna_session], [bert_session] = _session_ids(app, anna.id), _session_ids(app, bert.id)
    r = a.post(f"/account/sessions/{bert_session}/end")
    assert r.status_code == 404 and "This login session does not exist" in r.get_data(as_text=True)
    r = a.post(f"/account/sessions/{anna_session}/end")
    assert r.status_code == 409 and "to end it, log out" in r.get_data(as_text=True)
    r = a.post("/account/sessions/999999/end")
    assert r.status_code == 404
    assert _count(app, LoginSession) == 2 and _logged_in(a) and _logged_in(b)
    assert _audit(app, "account.end_session") == []
    # anonymous: the login page
    r = _browser(app).get("/account/sessions")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_last_seen_is_written_at_most_once_a_minute(app, client, clock):
    clock.set(T)
    user = _user(app)
    login(client, user)

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(LoginSession.last_seen_at).where(LoginSession.user_id == user.id))

    updates = []

    def count_updates(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE LOGIN_SESSION"):
            updates.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count_updates)
    try:
        assert last_seen() == T  # a login is seen when it starts
        for seconds in (10, 30, 59):
            clock.set(T + timedelta(seconds=seconds))
            assert _logged_in(client)
        assert last_seen() == T and updates == []
        clock.set(T + timedelta(seconds=61))
        assert _logged_in(client)
        assert last_seen() == T + timedelta(seconds=61) and len(updates) == 1
        clock.set(T + timedelta(seconds=90))
        assert _logged_in(client) and client.get("/profile").status_code == 200
        assert last_seen() == T + timedelta(seconds=61) and len(updates) == 1
        clock.set(T + timedelta(minutes=5))
        assert _logged_in(client)
        assert last_seen() == T + timedelta(minutes=5) and len(updates) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count_updates)


# --- the site admin's people page, deactivation ----------------------------------------------------------------

def test_the_people_page_is_the_site_admins_only(app, clock):
    clock.set(T)
    admin, anna = _user(app, "admin@example.org", admin=True), _user(app)
    speaker = _browser(app)
    login(speaker, anna)
    assert speaker.get("/admin/people").status_code == 404
    r = speaker.post(f"/admin/people/{admin.id}/deactivate")
    assert r.status_code == 404
    r = _browser(app).get("/admin/people")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.get(User, admin.id).deactivated_at is None
    assert _audit(app, "user.deactivate") == []
    chair = _browser(app)
    login(chair, admin)
    body = chair.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/people"' in body  # the site admin area links it
    body = chair.get("/admin/people").get_data(as_text=True)
    assert "anna@example.org" in body and "admin@example.org" in body and "2 accounts." in body


def test_the_people_page_searches_names_and_addresses_and_pages(app, clock):
    clock.set(T)
    admin = _user(app, "admin@example.org", admin=True, name="Zora Admin")
    with app.app_context():
        for i in range(55):
            make_user(email=f"p{i:02d}@herne.example", name=f"Herne Person {i:02d}")
        make_user(email="anna@bochum.example", name="Anna 100%_Bochum")
        db.session.commit()
    chair = _browser(app)
    login(chair, admin)
    body = chair.get("/admin/people?q=HERNE").get_data(as_text=True)
    assert "55 accounts match" in body and "Page 1 of 2" in body
    assert "p00@herne.example" in body and "p49@herne.example" in body and "p50@herne.example" not in body
    assert "anna@bochum.example" not in body
    assert 'href="/admin/people?q=HERNE&amp;page=2"' in body
    body = chair.get("/admin/people?q=HERNE&page=2").get_data(as_text=True)
    assert "p50@herne.example" in body and "p54@herne.example" in body and "p00@herne.example" not in body
    # % and _ are letters in the search, not wildcards
    body = chair.get("/admin/people?q=100%25_").get_data(as_text=True)
    assert "1 accounts match" in body and "anna@bochum.example" in body
    body = chair.get("/admin/people?q=5%25_").get_data(as_text=True)
    assert "No accounts found." in body
    # hostile input answers a page, not an error
    for q in ("\x00", "'; DROP TABLE user; --", "x" * 5000):
        assert chair.get("/admin/people", query_string={"q": q}).status_code == 200
    assert chair.get("/admin/people?page=-3").status_code == 200
    assert chair.get("/admin/people?page=abc").status_code == 200


def test_deactivation_ends_every_login_refuses_the_next_one_and_sends_no_reset(app, clock, smtp_server):
    clock.set(T)
    admin, anna = _user(app, "admin@example.org", admin=True), _user(app)
    laptop, phone = _browser(app, "Laptop"), _browser(app, "Phone")
    login(laptop, anna)
    login(phone, anna)
    chair = _browser(app)
    login(chair, admin)
    clock.set(T + timedelta(hours=1))
    r = chair.post(f"/admin/people/{anna.id}/deactivate", follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "is deactivated: every login of the account has ended" in body
    assert "deactivated on" in body and "Reactivate" in body
    with app.app_context():
        assert db.session.get(User, anna.id).deactivated_at == T + timedelta(hours=1)
    assert _count(app, LoginSession, LoginSession.user_id == anna.id) == 0
    assert _audit(app, "user.deactivate") == [(admin.id, "user", anna.id)]
    # the logged-in browsers are logged out on their next request
    for b in (laptop, phone):
        r = b.get("/dashboard")
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")
        assert "_user_id" not in (b.get_cookie("session") and
                                  app.session_interface.get_signing_serializer(app).loads(
                                      b.get_cookie("session").value) or {})
    # a new login is refused with a clear message, and starts no session
    r = laptop.post("/login", data={"email": anna.email, "password": TEST_PASSWORD})
    assert r.status_code == 403 and DEACTIVATED_MESSAGE in r.get_data(as_text=True)
    assert _count(app, LoginSession, LoginSession.user_id == anna.id) == 0
    # a wrong password still says only that
    r = laptop.post("/login", data={"email": anna.email, "password": "not the password"})
    assert r.status_code == 401 and DEACTIVATED_MESSAGE not in r.get_data(as_text=True)
    # a password reset sends nothing, but answers as for any address
    with app.app_context():
        send_pending(now=T + timedelta(hours=1))
    smtp_server.messages.clear()
    r = laptop.post("/password/forgot", data={"email": anna.email}, follow_redirects=True)
    assert "If an account exists for this address" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.recipient == anna.email,
                                        OutboxMessage.template == "reset_password")) == 0
        send_pending(now=T + timedelta(hours=1))
    assert smtp_server.to(anna.email) == []
    # reactivated, the account logs in again
    r = chair.post(f"/admin/people/{anna.id}/reactivate", follow_redirects=True)
    assert "is active again and can log in" in r.get_data(as_text=True)
    assert _audit(app, "user.reactivate") == [(admin.id, "user", anna.id)]
    login(laptop, anna)
    assert _logged_in(laptop)


def test_a_reset_link_sent_before_deactivation_no_longer_works(app, clock, smtp_server):
    clock.set(T)
    admin, anna = _user(app, "admin@example.org", admin=True), _user(app)
    with app.app_context():
        services.request_password_reset(anna.email, now=T)
        db.session.commit()
        send_pending(now=T)
    link = re.search(r"http://localhost(/password/reset/\S+)", smtp_server.to(anna.email)[-1]["body"]).group(1)
    chair = _browser(app)
    login(chair, admin)
    chair.post(f"/admin/people/{anna.id}/deactivate")
    anon = _browser(app)
    assert anon.get(link).status_code == 400
    r = anon.post(link, data={"password": "a brand new passphrase", "password_confirm": "a brand new passphrase"})
    assert r.status_code == 400
    r = anon.post("/login", data={"email": anna.email, "password": "a brand new passphrase"})
    assert r.status_code == 401


def test_the_admin_cannot_deactivate_themself(app, clock):
    clock.set(T)
    admin = _user(app, "admin@example.org", admin=True)
    chair = _browser(app)
    login(chair, admin)
    body = chair.get("/admin/people").get_data(as_text=True)
    assert "your account" in body and f"/admin/people/{admin.id}/deactivate" not in body
    r = chair.post(f"/admin/people/{admin.id}/deactivate")
    assert r.status_code == 403 and "You cannot deactivate your own account." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).deactivated_at is None
    assert _audit(app, "user.deactivate") == [] and _logged_in(chair)


def test_deactivating_twice_or_reactivating_an_active_account_is_refused(app, clock):
    clock.set(T)
    admin, anna = _user(app, "admin@example.org", admin=True), _user(app)
    chair = _browser(app)
    login(chair, admin)
    assert chair.post(f"/admin/people/{anna.id}/reactivate").status_code == 409
    assert chair.post(f"/admin/people/{anna.id}/deactivate").status_code == 302
    assert chair.post(f"/admin/people/{anna.id}/deactivate").status_code == 409
    assert chair.post("/admin/people/999999/deactivate").status_code == 404
    assert len(_audit(app, "user.deactivate")) == 1 and _audit(app, "user.reactivate") == []


# --- common passwords ---------------------------------------------------------------------------------------------

def test_the_bundled_list_holds_thousands_of_common_passwords_german_ones_too():
    passwords = common_passwords()
    assert len(passwords) >= 5000
    for german in ("passwort", "hallo123", "schalke04", "fussball", "geheim"):
        assert german in passwords
    assert is_common_password("Passwort") and is_common_password(" HALLO123 ") and is_common_password("SchAlke04")
    assert not is_common_password("correct horse battery") and not is_common_password("# Copyright (c) Django")


def _register_data(email, password):
    return {"name": "Anna Beispiel", "email": email, "password": password, "password_confirm": password,
            "organisation": "Stadt Bochum", "organisation_type": "city", "city": "Bochum", "language": "en",
            "privacy_consent": "y"}


@pytest.mark.parametrize("password", ["Schalke04", "QWERTYUIOP", "1234567890"])
def test_registration_refuses_a_common_password_and_creates_nothing(app, client, clock, password):
    clock.set(T)
    r = client.post("/register", data=_register_data("new@example.org", password))
    assert r.status_code == 422 and COMMON_MESSAGE in r.get_data(as_text=True)
    assert _count(app, User) == 0 and _count(app, OutboxMessage) == 0


def test_changing_or_resetting_to_a_common_password_is_refused(app, client, clock, smtp_server):
    clock.set(T)
    user = _user(app)
    with app.app_context():
        before = db.session.get(User, user.id).password_hash
    login(client, user)
    r = client.post("/profile/password", data={"current_password": TEST_PASSWORD, "password": "qwertyuiop",
                                               "password_confirm": "qwertyuiop"})
    assert r.status_code == 422 and COMMON_MESSAGE in r.get_data(as_text=True)
    with app.app_context():
        services.request_password_reset(user.email, now=T)
        db.session.commit()
        send_pending(now=T)
    link = re.search(r"http://localhost(/password/reset/\S+)", smtp_server.to(user.email)[-1]["body"]).group(1)
    r = _browser(app).post(link, data={"password": "1q2w3e4r5t", "password_confirm": "1q2w3e4r5t"})
    assert r.status_code == 422 and COMMON_MESSAGE in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).password_hash == before
    assert _logged_in(client)


# --- registration does not tell taken addresses apart ------------------------------------------------------------

def _count_hashes(monkeypatch) -> list[str]:
    """Count argon2 hash computations (the costly step); PasswordHasher has slots, so its class is patched."""
    from argon2 import PasswordHasher

    calls: list[str] = []
    real = PasswordHasher.hash

    def counting(self, password, *args, **kwargs):
        calls.append(password)
        return real(self, password, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting)
    return calls


def test_registration_answers_known_and_unknown_addresses_alike_and_hashes_once_either_way(
    app, clock, monkeypatch
):
    clock.set(T)
    _user(app, "taken@example.org")
    with app.app_context():
        before = db.session.scalar(select(func.max(OutboxMessage.id)))
    app.config["WTF_CSRF_ENABLED"] = True
    calls = _count_hashes(monkeypatch)
    answers = {}
    for email in ("taken@example.org", "free@example.org"):
        browser = _browser(app)
        token = _token(browser, "/register")
        calls.clear()
        r = browser.post("/register", data={**_register_data(email, "a good long password"), "csrf_token": token})
        assert len(calls) == 1, email  # the costly step happens on both paths, exactly once
        assert r.status_code == 302
        first = (r.status_code, r.headers["Location"], r.get_data(as_text=True))
        page = browser.get(r.headers["Location"]).get_data(as_text=True)
        answers[email] = (first, re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", page))
    assert answers["taken@example.org"] == answers["free@example.org"]
    assert "Almost done: we have sent you a mail." in answers["free@example.org"][1]
    assert _count(app, User) == 2
    with app.app_context():
        mails = sorted(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.template)
                                          .where(OutboxMessage.id > before)).all())
    # the owner of the taken address is told instead; the new address gets its confirmation link
    assert mails == [("free@example.org", "confirm_email"), ("taken@example.org", "account_exists")]


# --- Secure cookies ---------------------------------------------------------------------------------------------

@pytest.fixture
def make_app(app, database_url):
    """Build another app over the same database with the given settings; the limiter is shared: restore it."""
    from review_app import create_app
    from review_app.extensions import limiter

    saved = (limiter.enabled, limiter.initialized)
    built = []

    def build(**config):
        other = create_app({"SECRET_KEY": "another-test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
                            "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "PASSWORD_HASHING": "fast",
                            "BASE_URL": "https://cfp.example.org", **config})
        built.append(other)
        return other

    yield build
    limiter.enabled, limiter.initialized = saved
    for other in built:
        with other.app_context():
            db.engine.dispose()


def _set_cookies(response) -> str:
    return " | ".join(response.headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_secure_outside_debug(app, make_app, clock):
    user = _user(app)
    production = make_app()
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    browser = production.test_client()
    r = browser.post("/login", data={"email": user.email, "password": TEST_PASSWORD},
                     base_url="https://cfp.example.org")
    assert r.status_code == 302
    cookie = _set_cookies(r)
    assert "session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_debug_and_an_explicit_setting_allow_plain_http(app, make_app, monkeypatch):
    user = _user(app)
    debug = make_app(DEBUG=True)
    assert debug.config["SESSION_COOKIE_SECURE"] is False
    r = debug.test_client().post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert "session=" in _set_cookies(r) and "Secure" not in _set_cookies(r)
    monkeypatch.setenv("REVIEW_APP_SESSION_COOKIE_SECURE", "false")
    plain = make_app()
    assert plain.config["SESSION_COOKIE_SECURE"] is False and plain.config["REMEMBER_COOKIE_SECURE"] is False
    monkeypatch.setenv("REVIEW_APP_SESSION_COOKIE_SECURE", "true")
    assert make_app(DEBUG=True).config["SESSION_COOKIE_SECURE"] is True


# --- CSRF tokens live and die with the session -------------------------------------------------------------------

def _profile_data(token, name="Anna Neu"):
    return {"name": name, "organisation": "Stadt Herne", "organisation_type": "city", "city": "Herne", "bio": "",
            "language": "en", "csrf_token": token}


def _name(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).name


def test_a_form_token_from_before_logout_is_refused_after_it(app, client, clock):
    clock.set(T)
    user = _user(app)
    app.config["WTF_CSRF_ENABLED"] = True
    _csrf_login(client, user.email)
    token = _token(client, "/profile")
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302
    r = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert CSRF_MESSAGE in body and "Request not understood" in body
    assert _count(app, LoginSession) == 0
    # logged in again, the old token is still refused
    _csrf_login(client, user.email)
    r = client.post("/profile", data=_profile_data(token))
    assert r.status_code == 400 and CSRF_MESSAGE in r.get_data(as_text=True)
    assert _name(app, user.id) != "Anna Neu"


def test_a_token_from_before_login_is_refused_after_login(app, client, clock):
    clock.set(T)
    user = _user(app)
    app.config["WTF_CSRF_ENABLED"] = True
    anonymous_token = _token(client, "/login")
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": anonymous_token})
    assert _logged_in(client)
    r = client.post("/profile", data=_profile_data(anonymous_token))
    assert r.status_code == 400 and CSRF_MESSAGE in r.get_data(as_text=True)
    assert _name(app, user.id) != "Anna Neu"


def test_a_token_dies_when_its_login_session_is_ended_elsewhere(app, clock):
    clock.set(T)
    user = _user(app)
    app.config["WTF_CSRF_ENABLED"] = True
    laptop, phone = _browser(app, "Laptop"), _browser(app, "Phone")
    _csrf_login(laptop, user.email)
    token = _token(laptop, "/profile")  # a form left open on the laptop
    _csrf_login(phone, user.email)
    r = phone.post("/account/sessions/end-others", data={"csrf_token": _token(phone, "/account/sessions")})
    assert r.status_code == 302
    r = laptop.post("/profile", data=_profile_data(token))
    assert r.status_code == 400 and CSRF_MESSAGE in r.get_data(as_text=True)
    assert _name(app, user.id) != "Anna Neu"


def test_a_token_works_across_a_long_open_form_while_the_session_lives(app, client, clock):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    clock.set(T)
    user = _user(app)
    app.config["WTF_CSRF_ENABLED"] = True
    _csrf_login(client, user.email)
    _token(client, "/profile")  # the session's CSRF secret, minted for this login
    with client.session_transaction() as s:
        raw = s["csrf_token"]

    class ThirteenDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 24 * 3600

    # the token the profile form carried when it was opened 13 days ago (the login lasts 14)
    old_token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=ThirteenDaysAgo).dumps(raw)
    clock.set(T + timedelta(days=13))
    r = client.post("/profile", data=_profile_data(old_token))
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    assert _name(app, user.id) == "Anna Neu"
    # the same token keeps working while the session lives
    r = client.post("/profile", data=_profile_data(old_token, name="Anna Später"))
    assert r.status_code == 302 and _name(app, user.id) == "Anna Später"
    # a token signed with another secret is refused all the same
    forged = URLSafeTimedSerializer("another secret", salt="wtf-csrf-token").dumps(raw)
    r = client.post("/profile", data=_profile_data(forged, name="Mallory"))
    assert r.status_code == 400 and _name(app, user.id) == "Anna Später"


# --- hostile posts to this module's actions (declared for tests/web/test_hostile_input.py's route check) ---------

HOSTILE_FIELDS = {"is_admin": "y", "user_id": "1", "deactivated_at": "", "token_hash": "x", "x" * 300: "\x00"}
HUGE_BODY = {"x": "ä" * 1_000_000}  # above MAX_CONTENT_LENGTH once encoded


def _rows(app) -> dict[str, list[tuple]]:
    """Every row of the tables these actions touch, column by column."""
    with app.app_context():
        db.session.expire_all()
        return {model.__tablename__: [tuple(getattr(row, c.key) for c in model.__table__.columns)
                                      for row in db.session.scalars(select(model).order_by(model.id))]
                for model in (User, LoginSession, AuditEntry)}


def test_hostile_posts_to_the_account_actions_are_refused_and_change_nothing(app, clock):
    clock.set(T)
    admin, anna, bert = (_user(app, "admin@example.org", admin=True), _user(app), _user(app, "bert@example.org"))
    chair, a, b = _browser(app), _browser(app), _browser(app)
    login(chair, admin)
    login(a, anna)
    login(b, bert)
    [anna_session], [bert_session] = _session_ids(app, anna.id), _session_ids(app, bert.id)
    before = _rows(app)
    refused = [
        (a, f"/account/sessions/{bert_session}/end", {}, 404),  # someone else's
        (a, f"/account/sessions/{anna_session}/end", HOSTILE_FIELDS, 409),  # this one
        (a, "/account/sessions/99999999999999999999/end", {}, 404),
        (a, "/account/sessions/-1/end", {}, 404),
        (a, "/account/sessions/end-others", HUGE_BODY, 413),
        (a, f"/admin/people/{bert.id}/deactivate", HOSTILE_FIELDS, 404),  # not the site admin
        (a, f"/admin/people/{anna.id}/deactivate", {}, 404),
        (chair, f"/admin/people/{admin.id}/deactivate", HOSTILE_FIELDS, 403),  # themself
        (chair, f"/admin/people/{anna.id}/reactivate", HOSTILE_FIELDS, 409),  # not deactivated
        (chair, "/admin/people/99999999999999999999/deactivate", {}, 404),
        (chair, "/admin/people/abc/deactivate", {}, 404),
        (chair, f"/admin/people/{anna.id}/deactivate", HUGE_BODY, 413),
        (_browser(app), f"/admin/people/{anna.id}/deactivate", {}, 302),  # anonymous: to the login page
    ]
    for browser, path, data, status in refused:
        r = browser.post(path, data=data)
        assert r.status_code == status, (path, r.status_code)
        assert r.status_code == 302 or "<main" in r.get_data(as_text=True)  # the site's page, not a bare error
        assert _rows(app) == before, path
    # extra fields on an allowed action change nothing they name
    r = chair.post(f"/admin/people/{bert.id}/deactivate", data={**HOSTILE_FIELDS, "user_id": str(anna.id)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(User, bert.id).deactivated_at == T
        anna_row = db.session.get(User, anna.id)
        assert anna_row.deactivated_at is None and not anna_row.is_admin
    r = a.post("/account/sessions/end-others", data=HOSTILE_FIELDS)
    assert r.status_code == 302 and _session_ids(app, anna.id) == [anna_session]
    assert _logged_in(a) and _logged_in(chair)
